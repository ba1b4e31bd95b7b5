import type { RunExecution } from '../db/index.js';
import { assertNever } from '../errors/index.js';
import { currentProcess, processState, type ProcessIdentity } from './process-identity.js';
import type { Run } from './run.js';

export type { RunExecution };

/** How a run is carried out, and by which process (for a shared-queue run: the one that enqueued it). */
export interface RunOwner {
  readonly execution: RunExecution;
  readonly process: ProcessIdentity;
}

export function runOwnerOf(
  run: Pick<Run, 'execution' | 'ownerHost' | 'ownerPid' | 'ownerStartedAt'>,
): RunOwner | undefined {
  if (
    run.execution === null ||
    run.ownerHost === null ||
    run.ownerPid === null ||
    run.ownerStartedAt === null
  ) {
    return undefined;
  }
  return {
    execution: run.execution,
    process: { host: run.ownerHost, pid: run.ownerPid, startedAt: run.ownerStartedAt },
  };
}

/** `pid 4242 on host db1, started 2026-11-27T02:30:00.000Z`: enough for an operator to find it. */
function describeProcess(process: ProcessIdentity): string {
  return `pid ${process.pid} on host ${process.host}, started ${process.startedAt.toISOString()}`;
}

export type OwnerCheck =
  { readonly state: 'alive' } | { readonly state: 'gone' | 'unknown'; readonly why: string };

/**
 * Whether the process that carries out an in-process or private-queue run still lives. Such a run has
 * no other owner: its steps run in that process, or on a redis-server only that process knows. A process
 * on another host cannot be looked at (`unknown`), nor can a run that records no owner, unless this
 * process holds the hub database alone (`exclusive`, the embedded data directory's lock): then no other
 * process can be working on any run, and every owner but this process is gone.
 */
export function checkLocalOwner(
  owner: RunOwner | undefined,
  options: { exclusive?: boolean; here?: ProcessIdentity } = {},
): OwnerCheck {
  const here = options.here ?? currentProcess();
  if (owner === undefined) {
    return options.exclusive === true
      ? { state: 'gone', why: 'its owner was not recorded, and no other process can be working on it' }
      : { state: 'unknown', why: 'its owner was not recorded (a run from before owners were)' };
  }
  const ended = `its process (${describeProcess(owner.process)}) ended before the run finished`;
  const state = processState(owner.process, here);
  if (state === 'unknown' && options.exclusive === true) return { state: 'gone', why: ended };
  switch (state) {
    case 'alive':
      return { state };
    case 'gone':
      return { state, why: ended };
    case 'unknown':
      return {
        state,
        why: `its process runs on host ${owner.process.host}; a command there can tell whether it still runs`,
      };
    default:
      return assertNever(state);
  }
}
