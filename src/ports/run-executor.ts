import type { RunExecution } from '../db/index.js';

/**
 * How a recorded run is carried out: through the shared BullMQ queues, through a queue private to this
 * process, or step by step in this process. Implementations live in `jobs/`; the operations in
 * `src/operations` record runs and hand them over without knowing which one they have.
 *
 * An implementation must:
 * - run the same core steps whichever way it runs (snapshot, one feed and one delivery per recipient,
 *   finish), so a run's rows look the same afterwards;
 * - be safe to call twice for one run (the step ids derive from the run id);
 * - from `execute`, resolve only once the run's finish step has run, and leave the run `completed` or
 *   `failed`, never `running`, unless the process itself dies (then crash recovery takes over);
 * - refuse `enqueue` with `HubError('PIFU_QUEUE_UNAVAILABLE')` unless a worker pool that outlives this
 *   process will take the run (`detachable`).
 *
 * Left out on purpose: recording the run (the operation's, in the same transaction as its audit row)
 * and reporting (the run's rows say everything).
 */
export interface RunExecutor {
  readonly detachable: boolean;
  /**
   * How a run this process records is carried out — `execute` here, or `enqueue` to the pool — recorded
   * on the run as its owner, so a later command can tell when the owner is gone (crash recovery).
   */
  execution(detach: boolean): RunExecution;
  execute(runId: string, options?: { signal?: AbortSignal }): Promise<void>;
  enqueue(runId: string): Promise<void>;
}
