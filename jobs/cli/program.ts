import { Command } from 'commander';
import { hubVersion } from '../../src/operations/index.js';
import { registerExportCommands } from './commands/export.js';
import { registerHealthCommand } from './commands/health.js';
import { registerHoldCommands } from './commands/holds.js';
import { registerImportCommand, registerSourceCommands } from './commands/import.js';
import { registerMaintenanceCommands } from './commands/maintenance.js';
import { registerPrivacyCommands } from './commands/privacy.js';
import { registerProcessCommands } from './commands/processes.js';
import { registerRecipientsCommand } from './commands/recipients.js';
import { registerReportCommands } from './commands/reports.js';
import { registerRestrictionCommands } from './commands/restrictions.js';
import { registerRetentionCommands } from './commands/retention.js';
import { registerRunCommands } from './commands/runs.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTokenCommands } from './commands/tokens.js';

/**
 * The operator binary: one module per command group, each mostly argument parsing and printing around
 * one call into src/operations. Development tools (synthetic data, demo, benchmark) are `pifu-hub-dev`.
 */
export function buildProgram(): Command {
  const program = new Command('pifu-hub')
    .description('Roster data from the records store to each recipient as a PIFU-IMS 1.3 feed, accountably.')
    .version(hubVersion(), '-V, --version', 'print the version');
  registerExportCommands(program);
  registerImportCommand(program);
  registerSourceCommands(program);
  registerRunCommands(program);
  registerHoldCommands(program);
  registerPrivacyCommands(program);
  registerRestrictionCommands(program);
  registerRetentionCommands(program);
  registerReportCommands(program);
  registerRecipientsCommand(program);
  registerMaintenanceCommands(program);
  registerProcessCommands(program);
  registerHealthCommand(program);
  registerServeCommand(program);
  registerTokenCommands(program);
  return program;
}
