import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockDataDir, type DataDirHolder } from '../../../src/db/data-dir-lock.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const registerTs = fileURLToPath(
  new URL('../../integration/faults/support/register-ts.mjs', import.meta.url),
);
const lockModule = fileURLToPath(new URL('../../../src/db/data-dir-lock.ts', import.meta.url));

function freshDir(): string {
  return join(scratchDir('pifu-dir-lock-'), 'pglite');
}

function holderFile(dir: string, holder: Partial<DataDirHolder>): void {
  writeFileSync(
    `${dir}.lock`,
    JSON.stringify({
      pid: 1,
      startTicks: null,
      host: hostname(),
      command: 'pifu-hub export',
      since: '2026-01-01T00:00:00.000Z',
      token: 'stale',
      ...holder,
    }),
  );
}

/** A pid that no process has now: one that just exited (and was reaped). */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)']).stdout.toString().trim());
}

describe('the embedded data directory lock', () => {
  it('refuses a second holder at once, naming the first: pid, command and since when', async () => {
    const dir = freshDir();
    const lock = await lockDataDir(dir, { command: 'pifu-hub export' });
    try {
      const holder = JSON.parse(readFileSync(`${dir}.lock`, 'utf8')) as DataDirHolder;
      expect(statSync(`${dir}.lock`).mode & 0o777).toBe(0o600);
      const started = Date.now();
      await expect(lockDataDir(dir, { command: 'pifu-hub runs' })).rejects.toThrow(
        `PIFU_DATA_DIR_LOCKED: the embedded database in ${dir} is in use by pid ${process.pid} (pifu-hub export) ` +
          `since ${holder.since}; it serves one process at a time: wait for that command to finish, or set ` +
          'DATABASE_URL to a PostgreSQL server for concurrent use',
      );
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      lock.release();
    }
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('lets a waiting (read-only) command in once the holder lets go, and refuses it after its wait', async () => {
    const dir = freshDir();
    const first = await lockDataDir(dir, { command: 'pifu-hub export' });
    setTimeout(() => first.release(), 300);
    const second = await lockDataDir(dir, { command: 'pifu-hub runs', waitMs: 5_000, pollMs: 20 });
    await expect(lockDataDir(dir, { command: 'pifu-hub runs', waitMs: 200, pollMs: 20 })).rejects.toThrow(
      /\(pifu-hub runs\) since \S+ \(waited 200 ms\); it serves one process at a time/,
    );
    second.release();
  });

  it('takes over a lock whose holder is dead (kill -9 leaves the file behind)', async () => {
    const dir = freshDir();
    holderFile(dir, { pid: deadPid() });
    const lock = await lockDataDir(dir, { command: 'pifu-hub runs' });
    expect(JSON.parse(readFileSync(`${dir}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another process (a different start time)', async () => {
    if (!existsSync('/proc/self/stat')) return; // start times come from /proc (Linux)
    const dir = freshDir();
    holderFile(dir, { pid: process.ppid, startTicks: '1' });
    const lock = await lockDataDir(dir, { command: 'pifu-hub runs' });
    expect(JSON.parse(readFileSync(`${dir}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('never takes a lock from a live holder on this host, nor from any holder on another host', async () => {
    const dir = freshDir();
    holderFile(dir, { pid: process.ppid, startTicks: null });
    await expect(lockDataDir(dir, { command: 'pifu-hub runs' })).rejects.toThrow(/in use by pid \d+ \(/);
    holderFile(dir, { pid: deadPid(), host: 'another-host' });
    await expect(lockDataDir(dir, { command: 'pifu-hub runs' })).rejects.toThrow(/on host another-host/);
  });

  it('of processes racing for a stale lock exactly one takes it', async () => {
    const dir = freshDir();
    holderFile(dir, { pid: deadPid() });
    const script =
      `const { lockDataDir } = await import(${JSON.stringify(lockModule)});` +
      `try { const lock = await lockDataDir(${JSON.stringify(dir)}, { command: 'pifu-hub export' });` +
      `console.log('locked'); setTimeout(() => lock.release(), 5000); }` +
      `catch (error) { console.log(error.code); }`;
    const outputs = await Promise.all(
      [1, 2, 3, 4].map(
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, [
              '--import',
              registerTs,
              '--input-type=module',
              '-e',
              script,
            ]);
            let out = '';
            child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
            child.once('close', () => resolve(out.trim()));
          }),
      ),
    );
    expect(outputs.sort()).toEqual([
      'PIFU_DATA_DIR_LOCKED',
      'PIFU_DATA_DIR_LOCKED',
      'PIFU_DATA_DIR_LOCKED',
      'locked',
    ]);
  }, 180_000);

  it('is released when its process exits without closing anything (process.exit), and after kill -9 is taken over', async () => {
    const dir = freshDir();
    const script = (exit: string): string =>
      `const { lockDataDir } = await import(${JSON.stringify(lockModule)});` +
      `await lockDataDir(${JSON.stringify(dir)}, { command: 'pifu-hub export' });` +
      `console.log('locked'); ${exit}`;
    const exited = spawnSync(process.execPath, [
      '--import',
      registerTs,
      '--input-type=module',
      '-e',
      script('process.exit(3)'),
    ]);
    expect(exited.stdout.toString()).toBe('locked\n');
    expect(exited.status).toBe(3);
    expect(existsSync(`${dir}.lock`)).toBe(false);

    const killed = spawn(
      process.execPath,
      ['--import', registerTs, '--input-type=module', '-e', script('setInterval(() => {}, 1000);')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve) => killed.stdout.once('data', () => resolve()));
    await expect(lockDataDir(dir, { command: 'pifu-hub runs' })).rejects.toThrow(
      `in use by pid ${killed.pid} (`,
    );
    const gone = new Promise((resolve) => killed.once('exit', resolve));
    killed.kill('SIGKILL');
    await gone;
    expect(existsSync(`${dir}.lock`)).toBe(true);
    const lock = await lockDataDir(dir, { command: 'pifu-hub runs' });
    lock.release();
  }, 180_000);
});
