import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { HubError } from '../errors/index.js';

export interface EmbeddedRedis {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** The `redis-server` binary on PATH, or undefined when there is none. */
export function findRedisServer(pathVariable = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory; keep looking
    }
  }
  return undefined;
}

/**
 * Starts a private, memory-only Redis on a free loopback port for this process's own use, so a fresh
 * machine needs no Redis service. Nothing is persisted: the queues hold only ids (docs/requirements.md#c7),
 * and the hub's own state is in the database.
 */
export async function startEmbeddedRedis(
  binary: string,
  options: { timeoutMs?: number } = {},
): Promise<EmbeddedRedis> {
  const port = await findFreePort();
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new HubError('PIFU_QUEUE_UNAVAILABLE', `cannot start ${binary}`, { cause: error })),
    );
    child.once('exit', (code) =>
      reject(new HubError('PIFU_QUEUE_UNAVAILABLE', `${binary} exited with code ${String(code)} at start`)),
    );
  });
  try {
    await Promise.race([waitForRedis(port, options.timeoutMs ?? 10_000), exited]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exited.catch(() => undefined); // the start-up race is over; a later exit is observed by stop()
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid ?? -1, stop: () => stopChild(child) };
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

/** Resolves once a Redis server on this port answers PING. */
export async function waitForRedis(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingRedis(port, host)) return;
    if (Date.now() > deadline) {
      throw new HubError(
        'PIFU_QUEUE_UNAVAILABLE',
        `Redis on ${host}:${port} did not answer within ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function pingRedis(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
