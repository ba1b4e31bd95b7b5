import type { RunExecution, SourceCheck } from '../db/index.js';
import type { TransferTrigger } from '../transfer/transfer-trigger.js';

/**
 * What a resync run asks to send again, as the operator named it (school org number / NSR id, person key);
 * neither: the whole recipient.
 */
export interface ResyncRequest {
  readonly school?: string;
  readonly person?: string;
}

/** One run as the core sees it: what was asked for, the snapshot it took, and how it ended. */
export interface Run {
  readonly id: string;
  readonly trigger: TransferTrigger;
  readonly requestedBy: string | null;
  readonly status: 'running' | 'completed' | 'failed';
  readonly recipientIds: readonly string[];
  readonly createdAt: Date;
  readonly snapshotAt: Date | null;
  readonly finishedAt: Date | null;
  readonly spoolPath: string | null;
  readonly persons: number | null;
  readonly groups: number | null;
  readonly memberships: number | null;
  readonly error: string | null;
  /** The operator's reason (resync, retry). */
  readonly reason: string | null;
  /** What a resync run forgets; null for a whole recipient or another trigger. */
  readonly resync: ResyncRequest | null;
  /** The snapshot's counts per school key (`SchoolCounts`); null before the snapshot or the guard. */
  readonly schoolCounts: unknown;
  /** What the source sanity guard said of the snapshot; null until it looked. */
  readonly sourceCheck: SourceCheck | null;
  /** The drops the guard found, with their numbers (stopped or accepted); null when none. */
  readonly sourceDrop: string | null;
  /** The operator's reason for accepting a source drop in this run (`--accept-source-drop`). */
  readonly acceptSourceDropReason: string | null;
  /** How the run is carried out and by which process; absent for runs recorded before owners were. */
  readonly execution: RunExecution | null;
  readonly ownerHost: string | null;
  readonly ownerPid: number | null;
  readonly ownerStartedAt: Date | null;
  /** The Europe/Oslo day the run's views are computed for (`YYYY-MM-DD`); set with the snapshot. */
  readonly scopeDate: string | null;
  /** The source's marker of the run's snapshot (RosterProperties.sourceMarker); null without one. */
  readonly sourceMarker: string | null;
}
