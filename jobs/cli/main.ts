import { CommanderError, type Command } from 'commander';
import { buildProgram } from './program.js';
import { describeError } from './output.js';

/**
 * Commander copies `exitOverride` to subcommands only when they are created, so it is set on every
 * command here: a usage error in a subcommand (a conflicting option, a missing argument) then ends
 * like any other error, with an exit code, instead of a `process.exit` that skips cleanup.
 */
function overrideExits(command: Command): Command {
  command.exitOverride();
  for (const subcommand of command.commands) overrideExits(subcommand);
  return command;
}

/** The `pifu-hub` process: errors end as one clear line on stderr and a non-zero exit, never a stack. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = overrideExits(buildProgram());
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    console.error(`error: ${describeError(error)}`);
    process.exitCode = 1;
  }
}
