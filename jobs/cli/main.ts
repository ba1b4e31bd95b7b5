import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { describeError } from './output.js';

/** The `pifu-hub` process: errors end as one clear line on stderr and a non-zero exit, never a stack. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram().exitOverride();
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
