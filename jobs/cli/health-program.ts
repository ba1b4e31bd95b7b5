import { Command } from 'commander';
import { hubVersion } from '../../src/operations/hub-version.js';
import { registerHealthCommand } from './commands/health.js';

/** `pifu-hub health …` alone (jobs/cli/main.ts): the same command as in the full program, loaded light. */
export function buildHealthProgram(): Command {
  const program = new Command('pifu-hub').version(hubVersion(), '-V, --version', 'print the version');
  registerHealthCommand(program);
  return program;
}
