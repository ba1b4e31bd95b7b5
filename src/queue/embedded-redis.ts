import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { HubError } from '../errors/index.js';

export interface EmbeddedRedis {
  /** redis://:PASSWORD@127.0.0.1:PORT: a secret; never log it. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** How the server is tied to this process's life (see startEmbeddedRedis). */
  readonly guard: 'pdeathsig' | 'watchdog';
  /**
   * Resolves, with a sentence for an operator, if the server stops before stop() asked it to (killed,
   * out of memory); never otherwise.
   */
  readonly lost: Promise<string>;
  stop(): Promise<void>;
}

/** An executable on PATH, or undefined when there is none. */
export function findOnPath(name: string, pathVariable = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory; keep looking
    }
  }
  return undefined;
}

/** The `redis-server` binary on PATH, or undefined when there is none. */
export function findRedisServer(pathVariable = process.env['PATH'] ?? ''): string | undefined {
  return findOnPath('redis-server', pathVariable);
}

/**
 * Starts a private, memory-only Redis for this process's own use, so a fresh machine needs no Redis
 * service. Nothing is persisted: the queues hold only ids, and the hub's own state is in the database.
 *
 * It belongs to this process: a random password (given on stdin, so `ps` never shows it) on a free
 * loopback port, and it dies with this process however that ends. Where util-linux's `setpriv
 * --pdeathsig KILL` exists (Linux), the kernel kills it the moment this process dies, kill -9 included;
 * nothing polls and nothing can be missed. Elsewhere a small shell watchdog polls this process's pid twice
 * a second and kills the server when it is gone.
 */
export async function startEmbeddedRedis(
  binary: string,
  options: {
    timeoutMs?: number;
    /** `watchdog`: use the fallback even where setpriv works (so tests can prove it). */
    guard?: 'auto' | 'watchdog';
  } = {},
): Promise<EmbeddedRedis> {
  const port = await findFreePort();
  const password = randomBytes(24).toString('hex');
  const deathGuard = options.guard === 'watchdog' ? undefined : parentDeathGuard();
  const [command, ...args] = [...(deathGuard ?? []), binary, '-'];
  const child = spawn(command!, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin?.on('error', () => undefined); // a server that dies at start closes its stdin early
  child.stdin?.end(redisConfig(port, password));
  const watchdog = deathGuard === undefined ? startWatchdog(child) : undefined;
  let stopping = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      watchdog?.kill('SIGKILL');
      resolve({ code, signal });
    }),
  );
  const failedStart = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new HubError('PIFU_QUEUE_UNAVAILABLE', `cannot start ${binary}`, { cause: error })),
    );
    void exited.then(({ code }) =>
      reject(new HubError('PIFU_QUEUE_UNAVAILABLE', `${binary} exited with code ${String(code)} at start`)),
    );
  });
  try {
    await Promise.race([waitForRedis(port, options.timeoutMs ?? 10_000, '127.0.0.1', password), failedStart]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  failedStart.catch(() => undefined); // the start-up race is over; a later exit resolves `lost`
  const lost = exited.then(({ code, signal }) =>
    stopping
      ? new Promise<string>(() => undefined)
      : `the private redis-server (pid ${String(child.pid)}) stopped (${signal ?? `exit code ${String(code)}`})`,
  );
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    guard: deathGuard === undefined ? 'watchdog' : 'pdeathsig',
    lost,
    stop: async () => {
      stopping = true;
      await stopChild(child);
    },
  };
}

function redisConfig(port: number, password: string): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    'protected-mode yes',
    `requirepass ${password}`,
    'save ""',
    'appendonly no',
    'daemonize no',
    '',
  ].join('\n');
}

let probedGuard: readonly string[] | null | undefined;

/** `setpriv --pdeathsig KILL` when this machine's setpriv has it (util-linux ≥ 2.33), else undefined. */
function parentDeathGuard(): readonly string[] | undefined {
  if (probedGuard === undefined) {
    const setpriv = process.platform === 'linux' ? findOnPath('setpriv') : undefined;
    const works =
      setpriv !== undefined &&
      spawnSync(setpriv, ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore', timeout: 5_000 }).status === 0;
    probedGuard = works ? [setpriv, '--pdeathsig', 'KILL'] : null;
  }
  return probedGuard ?? undefined;
}

/**
 * The fallback: `sh` polls both pids; when this process is gone it kills the server, when the server is
 * gone it ends. Checking the server too keeps it from killing a stranger that reused the server's pid.
 */
function startWatchdog(server: ChildProcess): ChildProcess | undefined {
  if (server.pid === undefined) return undefined;
  const script =
    'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 0.5; done; ' +
    'kill -0 "$1" 2>/dev/null || kill -9 "$2" 2>/dev/null';
  const watchdog = spawn(
    'sh',
    ['-c', script, 'pifu-hub-redis-watchdog', String(process.pid), String(server.pid)],
    {
      stdio: 'ignore',
    },
  );
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return watchdog;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await done;
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once a Redis server on this port answers PING (after AUTH, given a password). */
export async function waitForRedis(
  port: number,
  timeoutMs: number,
  host = '127.0.0.1',
  password?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingRedis(port, host, password)) return;
    if (Date.now() > deadline) {
      throw new HubError(
        'PIFU_QUEUE_UNAVAILABLE',
        `Redis on ${host}:${port} did not answer within ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function pingRedis(port: number, host = '127.0.0.1', password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    let answer = '';
    socket.setTimeout(1000);
    socket.once('connect', () =>
      socket.write(`${password === undefined ? '' : `AUTH ${password}\r\n`}PING\r\n`),
    );
    socket.on('data', (data) => {
      answer += data.toString();
      const replies = answer.split('\r\n').slice(0, -1);
      if (replies.length < (password === undefined ? 1 : 2)) return;
      socket.destroy();
      resolve(replies.at(-1)!.startsWith('+PONG'));
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
