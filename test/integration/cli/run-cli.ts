import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../jobs/cli/main.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

let allRolesFile: string | undefined;

/**
 * Roles fail closed against PostgreSQL (no roles file, no role), so a test that does not say otherwise
 * runs as an operator holding every role, through a roles file of its own.
 */
function defaultRolesFile(): string {
  if (allRolesFile === undefined) {
    allRolesFile = join(scratchDir('pifu-roles-'), 'roles.json');
    writeFileSync(
      allRolesFile,
      JSON.stringify({ [userInfo().username]: ['viewer', 'operator', 'privacy-admin', 'config-admin'] }),
    );
  }
  return allRolesFile;
}

export interface CliResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * Runs `pifu-hub ARGS…` in this process, as bin/pifu-hub.js does, with `env` added to the environment
 * for the duration; captures what it prints and the exit code it sets, then restores all of it.
 */
export async function runCli(
  args: readonly string[],
  givenEnv: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const env =
    'PIFU_HUB_ROLES_FILE' in givenEnv ? givenEnv : { ...givenEnv, PIFU_HUB_ROLES_FILE: defaultRolesFile() };
  const saved = {
    log: console.log,
    error: console.error,
    write: process.stderr.write,
    exitCode: process.exitCode,
  };
  const savedEnv = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  const stdout: string[] = [];
  const stderr: string[] = [];
  console.log = (...parts: unknown[]) => stdout.push(`${parts.map(String).join(' ')}\n`);
  console.error = (...parts: unknown[]) => stderr.push(`${parts.map(String).join(' ')}\n`);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  process.exitCode = undefined;
  try {
    await main(['node', 'pifu-hub', ...args]);
    return { stdout: stdout.join(''), stderr: stderr.join(''), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    process.stderr.write = saved.write;
    process.exitCode = saved.exitCode;
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
