import type { Roster } from '../model/index.js';

/**
 * Where the roster comes from. Implementations live in `connectors/sources/*`; the core never names one.
 *
 * An implementation must:
 * - read one consistent snapshot per `openSnapshot` call (every stream of the returned roster reflects
 *   the same moment, e.g. one REPEATABLE READ transaction);
 * - yield objects in the canonical order documented on `Roster`, with memory bounded by a chunk size,
 *   never by the number of persons;
 * - never load special-category data (docs/requirements.md#r1) into the model: the columns may exist in the
 *   source, the connector simply does not read them;
 * - stop promptly and release the snapshot when `signal` aborts;
 * - throw `HubError('PIFU_SOURCE_UNAVAILABLE')` for connection trouble (retryable) and
 *   `HubError('PIFU_SOURCE_INVALID')` for data it cannot map (not retryable).
 *
 * Left out on purpose: writes of any kind (the records store is read-only to the hub) and change
 * tracking (the watermark belongs to a later port).
 */
export interface SourceConnector {
  openSnapshot(options?: { signal?: AbortSignal }): Promise<RosterSnapshot>;
}

export interface RosterSnapshot extends Roster {
  /** Ends the snapshot (transaction); safe to call twice. */
  close(): Promise<void>;
}
