import { CommanderError, type Command } from 'commander';
import { describeError } from './output.js';

/**
 * Commander copies `exitOverride` and output settings to subcommands only when they are created, so
 * they are set on every command here: a usage error in a subcommand (a conflicting option, a missing
 * argument) then ends like any other error — one `error: PIFU_USAGE_INVALID: …` line and an exit code —
 * instead of a `process.exit` that skips cleanup.
 */
function configure(command: Command): Command {
  command.exitOverride();
  command.configureOutput({
    outputError: (text, write) =>
      write(`${usageLine(text)} (run \`${commandPath(command)} --help\` for usage)\n`),
  });
  for (const subcommand of command.commands) configure(subcommand);
  return command;
}

/** A command or option name as the program spells them: what an unknown one may be echoed as. */
const nameLike = /^(--?)?[A-Za-z][A-Za-z-]{0,40}$/;

/**
 * Commander's message as one line, without the value the operator typed (a value typed into the wrong
 * place may be a national identity number): an invalid value keeps the option or argument it was for,
 * not the value; an unknown command or option is named only when it is spelled like a name, and an
 * unknown `--option=value` keeps the option without its value.
 */
function usageLine(text: string): string {
  return text
    .trim()
    .replace(/\s*\n\s*/g, ' ')
    .replace(/argument '[^']*' is invalid/g, 'argument is invalid')
    .replace(/value '[^']*' (is invalid|from env)/g, 'value $1')
    .replace(/unknown (command|option) '([^']*)'/g, (_match, what: string, typed: string) => {
      const name = what === 'option' ? (typed.split('=')[0] ?? '') : typed;
      return nameLike.test(name) ? `unknown ${what} '${name}'` : `unknown ${what}`;
    })
    .replace(/^error: /, 'error: PIFU_USAGE_INVALID: ');
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current !== null; current = current.parent) {
    names.unshift(current.name());
  }
  return names.join(' ');
}

/** Runs a program: errors end as one clear line on stderr and a non-zero exit, never a stack. */
export async function runProgram(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await configure(program).parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    console.error(`error: ${describeError(error)}`);
    process.exitCode = 1;
  }
}

/**
 * The `pifu-hub` process. `health` is a container health check, run every 30 s in each worker and
 * scheduler container: it loads only its own command, not every command's libraries (which take
 * seconds and 160 MB on a busy host).
 */
export async function main(argv: readonly string[]): Promise<void> {
  const program =
    argv[2] === 'health'
      ? (await import('./health-program.js')).buildHealthProgram()
      : (await import('./program.js')).buildProgram();
  await runProgram(program, argv);
}
