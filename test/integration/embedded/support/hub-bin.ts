import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
export const fixturesRecipientsDir = join(root, 'fixtures', 'recipients');

/**
 * The built `pifu-hub` in a child process, as an operator runs it: these tests are about processes
 * (locks, exit codes, orphans), which an in-process call cannot show. `npm install` builds dist/
 * (the `prepare` script); after a change, `npm run build` first.
 */
const bin = join(root, 'bin', 'pifu-hub.js');
/** Synthetic data comes from the development tools, a binary of their own. */
const devBin = join(root, 'bin', 'pifu-hub-dev.js');
const devCommands = new Set(['seed', 'demo', 'bench']);

export interface BinResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface BinProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly result: Promise<BinResult>;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr (the log lines), or rejects at the exit. */
  waitForStderr(pattern: RegExp): Promise<RegExpExecArray>;
}

/**
 * The embedded default: no DATABASE_URL, SOURCE_DATABASE_URL or REDIS_URL, data in `dataDir`, the fixture
 * recipients (whose file drops are relative, so under `cwd`). `extra` adds or replaces variables.
 */
export function embeddedEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'DATABASE_URL',
    'SOURCE_DATABASE_URL',
    'REDIS_URL',
    'PIFU_HUB_SPOOL_DIR',
    'PIFU_HUB_ROLES_FILE',
    'LOG_LEVEL',
  ]) {
    delete env[name];
  }
  return { ...env, PIFU_HUB_DATA_DIR: dataDir, PIFU_HUB_RECIPIENTS_DIR: fixturesRecipientsDir, ...extra };
}

export function startBin(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd: string },
): BinProcess {
  if (!existsSync(join(root, 'dist', 'jobs', 'cli', 'main.js'))) {
    throw new Error('pifu-hub is not built: run `npm run build`');
  }
  const program = devCommands.has(args[0] ?? '') ? devBin : bin;
  const child = spawn(process.execPath, [program, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: (() => void)[] = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const watcher of [...watchers]) watcher();
  });
  const result = new Promise<BinResult>((resolve) =>
    child.once('close', (exitCode, signal) => {
      resolve({ stdout, stderr, exitCode, signal });
      for (const watcher of [...watchers]) watcher();
    }),
  );
  return {
    pid: child.pid ?? -1,
    child,
    result,
    stderr: () => stderr,
    waitForStderr: (pattern) =>
      new Promise((resolve, reject) => {
        const look = (): void => {
          const match = pattern.exec(stderr);
          if (match !== null) {
            watchers.splice(watchers.indexOf(look), 1);
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            watchers.splice(watchers.indexOf(look), 1);
            reject(new Error(`pifu-hub ended before printing ${String(pattern)}:\n${stderr}`));
          }
        };
        watchers.push(look);
        look();
      }),
  };
}

/** Runs to the end; a process still running after `timeoutMs` is killed (signal SIGKILL in the result). */
/**
 * The note the embedded default prints once per data directory (every role granted, no roles file): an
 * operator's information, not an error; `runBin` takes it out of stderr and says whether it was there.
 */
const everyRoleNote =
  'note: no roles file (PIFU_HUB_ROLES_FILE): every role is granted on the embedded demo database; ' +
  'production uses PostgreSQL and a roles file\n';

export async function runBin(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs?: number },
): Promise<BinResult & { readonly everyRoleNote: boolean }> {
  const started = startBin(args, options);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  try {
    const result = await started.result;
    return {
      ...result,
      stderr: result.stderr.replace(everyRoleNote, ''),
      everyRoleNote: result.stderr.includes(everyRoleNote),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The lines of stderr that are not JSON log lines: what an operator reads. */
export function plainLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '' && !line.startsWith('{'));
}
