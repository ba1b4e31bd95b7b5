import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { findRedisServer, pingRedis, startEmbeddedRedis } from '../../../src/queue/index.js';
import { embeddedEnv, plainLines, runBin, startBin, type BinProcess } from './support/hub-bin.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const registerTs = fileURLToPath(new URL('../faults/support/register-ts.mjs', import.meta.url));
const redisModule = fileURLToPath(new URL('../../../src/queue/embedded-redis.ts', import.meta.url));

function redisBinary(): string {
  const binary = findRedisServer();
  if (binary === undefined) throw new Error('redis-server is not on PATH');
  return binary;
}

/** Whether anything still listens on the port (a refused connection: nothing does). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A live (not zombie) process with this pid whose command line names the port. */
function redisProcessAlive(pid: number, port: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`:${port}`);
  } catch {
    return false;
  }
}

const startedLine = /"pid":(\d+),.*"msg":"started a private redis-server/;

/** The port a redis-server listens on, from its process title (`redis-server 127.0.0.1:PORT`). */
function portOf(pid: number): number {
  const port = /:(\d+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1];
  if (port === undefined) throw new Error(`no port in the command line of ${pid}`);
  return Number(port);
}

describe('the private redis-server belongs to its parent', () => {
  let base: string;
  let dataDir: string;
  const children: BinProcess[] = [];
  beforeAll(async () => {
    base = scratchDir('pifu-private-redis-');
    dataDir = join(base, 'data');
    const seeded = await runBin(['seed', '--scale', 'tiny'], { env: embeddedEnv(dataDir), cwd: base });
    expect(seeded).toMatchObject({ exitCode: 0, stderr: '' });
  }, 120_000);
  afterAll(() => {
    for (const child of children) child.child.kill('SIGKILL');
    rmSync(base, { recursive: true, force: true });
  });

  it('asks for a password, which no command line shows', async () => {
    const redis = await startEmbeddedRedis(redisBinary());
    try {
      const password = new URL(redis.url).password;
      expect(password).toMatch(/^[0-9a-f]{48}$/);
      expect(await pingRedis(redis.port)).toBe(false);
      expect(await pingRedis(redis.port, '127.0.0.1', password)).toBe(true);
      expect(readFileSync(`/proc/${redis.pid}/cmdline`, 'utf8')).not.toContain(password);
    } finally {
      await redis.stop();
    }
  });

  it('is gone a second after its parent is killed with kill -9', async () => {
    const exporting = startBin(['export', '--all'], {
      env: embeddedEnv(dataDir, { LOG_LEVEL: 'info' }),
      cwd: base,
    });
    children.push(exporting);
    const [, pid] = await exporting.waitForStderr(startedLine);
    const port = portOf(Number(pid));
    expect(redisProcessAlive(Number(pid), port)).toBe(true);
    exporting.child.kill('SIGKILL');
    await exporting.result;
    await sleep(1_000);
    expect(redisProcessAlive(Number(pid), port)).toBe(false);
    expect(await listening(port)).toBe(false);
  }, 120_000);

  it('is gone a second after its parent is killed with kill -9, where the watchdog guards it', async () => {
    const script =
      `const { findRedisServer, startEmbeddedRedis } = await import(${JSON.stringify(redisModule)});` +
      `const redis = await startEmbeddedRedis(findRedisServer(), { guard: 'watchdog' });` +
      `console.log(JSON.stringify({ pid: redis.pid, port: redis.port, guard: redis.guard }));` +
      `setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', registerTs, '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const started = await new Promise<{ pid: number; port: number; guard: string }>((resolve) =>
        parent.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()))),
      );
      expect(started.guard).toBe('watchdog');
      expect(redisProcessAlive(started.pid, started.port)).toBe(true);
      const exited = new Promise((resolve) => parent.once('exit', resolve));
      parent.kill('SIGKILL');
      await exited;
      await sleep(1_000);
      expect(redisProcessAlive(started.pid, started.port)).toBe(false);
      expect(await listening(started.port)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  }, 180_000);

  it('dying mid-export ends the command within seconds in one PIFU_QUEUE_UNAVAILABLE line, the run failed', async () => {
    const env = embeddedEnv(dataDir, { LOG_LEVEL: 'info' });
    const exporting = startBin(['export', '--all'], { env, cwd: base });
    children.push(exporting);
    const [, pid] = await exporting.waitForStderr(startedLine);
    await exporting.waitForStderr(/"msg":"transfer delivered"/);
    process.kill(Number(pid), 'SIGKILL');
    const killedAt = Date.now();
    const timeout = new AbortController();
    const result = await Promise.race([
      exporting.result,
      sleep(20_000, undefined, { signal: timeout.signal }).catch(() => undefined),
    ]);
    timeout.abort();
    expect(result).toBeDefined();
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(result!.exitCode).toBe(1);
    const runId = /run (run-\S+) is recorded failed/.exec(result!.stderr)?.[1];
    expect(plainLines(result!.stderr)).toEqual([
      `error: PIFU_QUEUE_UNAVAILABLE: the private redis-server (pid ${pid}) stopped (SIGKILL) during the run; ` +
        `its queued steps are lost: run ${runId} is recorded failed (\`pifu-hub run show ${runId}\`); export ` +
        'again to deliver what it did not',
    ]);
    expect(result!.stderr).not.toMatch(/ECONNREFUSED|ECONNRESET|EPIPE|worker error/);

    const runs = await runBin(['runs', '--json', '--limit', '1'], { env: embeddedEnv(dataDir), cwd: base });
    const run = JSON.parse(runs.stdout) as {
      id: string;
      status: string;
      pending: number;
      delivered: number;
      failed: number;
    };
    expect(run).toMatchObject({ id: runId, status: 'failed', pending: 0 });
    expect(run.delivered).toBeGreaterThan(0);
    expect(run.delivered + run.failed).toBe(16);
    const transfers = await runBin(['transfers', '--json'], { env: embeddedEnv(dataDir), cwd: base });
    const failed = transfers.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { runId: string; status: string; error: string | null })
      .filter((transfer) => transfer.runId === runId && transfer.status === 'failed');
    expect(failed).toHaveLength(run.failed);
    for (const transfer of failed)
      expect(transfer.error).toMatch(/private redis-server .* stopped \(SIGKILL\) during the run/);
  }, 180_000);
});
