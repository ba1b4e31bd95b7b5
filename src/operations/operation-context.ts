import type { QueueInspector, RosterFileReader, RunExecutor } from '../ports/index.js';
import type { HubContext } from '../run/index.js';

/**
 * What an operation needs: the core's context plus the two ports only operators use. Built once per
 * process by the composition root (jobs/runtime.ts) and shared by every face (CLI, HTTP API).
 */
export interface OperationContext extends HubContext {
  /** How runs this process records are carried out (queue flow or in-process). */
  readonly executor: RunExecutor;
  /** The shared queues' counts; undefined when there are none (no REDIS_URL). */
  readonly queues: QueueInspector | undefined;
  /**
   * Runs whose owner is gone but which the crash recovery at start could not settle, with why; shown as
   * `stuck` until a later command settles them or an operator cancels them.
   */
  readonly stuckRuns: ReadonlyMap<string, string>;
  /** Reads PIFU files from outside for `import`; undefined where the process offers none. */
  readonly rosterFiles?: RosterFileReader;
}
