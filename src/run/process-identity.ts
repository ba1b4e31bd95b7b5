import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** One operating-system process, named so that a pid given to another process later does not match. */
export interface ProcessIdentity {
  readonly host: string;
  readonly pid: number;
  readonly startedAt: Date;
}

export type ProcessState = 'alive' | 'gone' | 'unknown';

/**
 * Two readings of one process's start time differ only by the clock's adjustments between them (the
 * kernel derives it from boot time plus ticks), never by more than this; a different process on a reused
 * pid started at a different moment.
 */
const startTimeToleranceMs = 2_000;

/** Linux reports /proc start times in USER_HZ ticks, 100 a second on every architecture it runs on. */
const ticksPerSecond = 100;

let self: ProcessIdentity | undefined;

/** This process. */
export function currentProcess(): ProcessIdentity {
  self ??= {
    host: hostname(),
    pid: process.pid,
    startedAt: procStartTime(process.pid) ?? new Date(Math.round(performance.timeOrigin)),
  };
  return self;
}

/**
 * Whether `owner` still runs. Only a process on this host can be looked at: one elsewhere is `unknown`.
 * On Linux a live pid whose start time differs is a different process (`gone`), and so is a zombie.
 * Without /proc only the pid is checked, so a reused pid reads as `alive`: the safe side, since a live
 * owner is never taken over.
 */
export function processState(owner: ProcessIdentity, here: ProcessIdentity = currentProcess()): ProcessState {
  if (owner.host !== here.host) return 'unknown';
  if (owner.pid === here.pid) {
    return Math.abs(owner.startedAt.getTime() - here.startedAt.getTime()) <= startTimeToleranceMs
      ? 'alive'
      : 'gone';
  }
  const stat = readProcStat(owner.pid);
  if (stat === 'no-proc') return pidExists(owner.pid) ? 'alive' : 'gone';
  if (stat === undefined || stat.isZombie) return 'gone';
  const startedAt = startTimeOf(stat.startTicks);
  if (startedAt === undefined) return 'alive';
  return Math.abs(startedAt.getTime() - owner.startedAt.getTime()) <= startTimeToleranceMs ? 'alive' : 'gone';
}

function procStartTime(pid: number): Date | undefined {
  const stat = readProcStat(pid);
  return stat === 'no-proc' || stat === undefined ? undefined : startTimeOf(stat.startTicks);
}

/** Fields of /proc/PID/stat (proc(5)); undefined when there is no such process, `no-proc` without /proc. */
function readProcStat(pid: number): { isZombie: boolean; startTicks: number } | undefined | 'no-proc' {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return 'no-proc';
    return hasProc() ? undefined : 'no-proc';
  }
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0] ?? '';
  return { isZombie: state === 'Z' || state === 'X', startTicks: Number(fields[19]) };
}

function startTimeOf(startTicks: number): Date | undefined {
  const bootSeconds = bootTime();
  if (bootSeconds === undefined || !Number.isFinite(startTicks)) return undefined;
  return new Date(bootSeconds * 1000 + Math.round((startTicks * 1000) / ticksPerSecond));
}

function bootTime(): number | undefined {
  try {
    const line = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return line === null ? undefined : Number(line[1]);
  } catch {
    return undefined;
  }
}

function hasProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
