import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { HubError } from '../errors/index.js';

/**
 * Who holds an embedded data directory. Written once, when the lock is taken, into a 0600 file beside
 * the directory. `startTicks` (Linux: the process's start time since boot) tells a live holder from a
 * dead one whose pid was reused; elsewhere it is null and liveness rests on the pid alone.
 */
export interface DataDirHolder {
  readonly pid: number;
  readonly startTicks: string | null;
  readonly host: string;
  readonly command: string;
  readonly since: string;
  readonly token: string;
}

export interface DataDirLockOptions {
  /** What the holder is doing, as a second process is told (`pifu-hub export`). No personal data. */
  readonly command: string;
  /** How long to wait for a live holder to let go; 0 refuses at once. */
  readonly waitMs?: number;
  readonly pollMs?: number;
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still this process's; safe to call twice. */
  release(): void;
}

/** A breaker older than this was left by a process that died in the middle of breaking a stale lock. */
const abandonedBreakerMs = 10_000;
/** A lock file that cannot be parsed yet may be one a process is writing this very moment. */
const unreadableGraceMs = 5_000;

/**
 * Takes the exclusive lock on an embedded (PGlite) data directory: PGlite is PostgreSQL without its
 * postmaster, so two processes on one directory each believe they own it and overwrite each other's
 * pages. The lock is a file created with O_EXCL; a lock whose holder is gone (kill -9, a crash) is taken
 * over, but only under a second O_EXCL "breaker" file, so that of two processes finding the same stale
 * lock exactly one removes it.
 *
 * Liveness is decided by pid and process start time, not by a heartbeat: PGlite runs every query on the
 * main thread, so a long query stalls any timer, and a heartbeat lock (proper-lockfile's mtime rule)
 * would then be taken from a holder that is alive and writing.
 */
export async function lockDataDir(dataDir: string, options: DataDirLockOptions): Promise<DataDirLock> {
  const path = `${dataDir}.lock`;
  const waitMs = options.waitMs ?? 0;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const me = describeSelf(options.command);
    if (tryCreate(path, me)) return heldLock(path, me);
    const holder = readHolder(path);
    if (holder === 'gone') continue;
    const stale = holder === 'unreadable' ? ageMs(path) > unreadableGraceMs : !isAlive(holder);
    if (stale) {
      if (!breakStaleLock(path, holder)) await sleep(50);
      continue;
    }
    if (Date.now() >= deadline) throw lockedError(dataDir, holder, waitMs);
    await sleep(options.pollMs ?? 200);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describeSelf(command: string): DataDirHolder {
  return {
    pid: process.pid,
    startTicks: startTicksOf(process.pid),
    host: hostname(),
    command,
    since: new Date().toISOString(),
    token: randomUUID(),
  };
}

function tryCreate(path: string, holder: DataDirHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new HubError('PIFU_DATABASE_FAILED', `cannot create the lock file ${path}: ${messageOf(error)}`, {
      cause: error,
      retryable: false,
    });
  }
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

function heldLock(path: string, me: DataDirHolder): DataDirLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const current = readHolder(path);
    if (typeof current === 'object' && current.token === me.token) unlinkQuietly(path);
  };
  // process.exit() (a second SIGTERM to a worker, say) skips every await; the file goes anyway.
  process.on('exit', release);
  return { path, release };
}

function readHolder(path: string): DataDirHolder | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<DataDirHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') return parsed as DataDirHolder;
  } catch {
    // a process may be between creating the file and writing it; see breakStaleLock
  }
  return 'unreadable';
}

/**
 * Removes a lock judged stale if it is still the same lock, under the breaker file. False when another
 * process is breaking it right now (look again shortly).
 */
function breakStaleLock(path: string, judged: DataDirHolder | 'unreadable'): boolean {
  const breaker = `${path}.break`;
  let fd: number;
  try {
    fd = openSync(breaker, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (ageMs(breaker) > abandonedBreakerMs) unlinkQuietly(breaker);
    return false;
  }
  try {
    closeSync(fd);
    const current = readHolder(path);
    const same =
      typeof current === 'object'
        ? typeof judged === 'object' && current.token === judged.token
        : current === 'unreadable' && ageMs(path) > unreadableGraceMs;
    if (same) unlinkQuietly(path);
    return true;
  } finally {
    unlinkQuietly(breaker);
  }
}

/** Whether the holder may still be running. A holder on another host cannot be checked: it counts as live. */
export function isAlive(holder: DataDirHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it exists, under another user
  }
  if (holder.pid === process.pid) return holder.startTicks === startTicksOf(process.pid);
  const ticks = startTicksOf(holder.pid);
  if (ticks === 'zombie') return false;
  return holder.startTicks === null || ticks === null || ticks === holder.startTicks;
}

/**
 * Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. A pid reused by a new
 * process has a different value. Null where there is no /proc (macOS); 'zombie' for a process that has
 * ended but was not yet reaped (a container without an init reaps late).
 */
function startTicksOf(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return 'zombie';
  return fields[19] ?? null;
}

function lockedError(dataDir: string, holder: DataDirHolder | 'unreadable', waitedMs: number): HubError {
  const who =
    holder === 'unreadable'
      ? 'another process (starting up)'
      : `pid ${holder.pid}${holder.host === hostname() ? '' : ` on host ${holder.host}`} ` +
        `(${holder.command}) since ${holder.since}`;
  const waited =
    waitedMs === 0
      ? ''
      : ` (waited ${waitedMs < 1000 ? `${waitedMs} ms` : `${Math.round(waitedMs / 1000)} s`})`;
  return new HubError(
    'PIFU_DATA_DIR_LOCKED',
    `the embedded database in ${dataDir} is in use by ${who}${waited}; it serves one process at a ` +
      'time: wait for that command to finish, or set DATABASE_URL to a PostgreSQL server for concurrent use',
  );
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
