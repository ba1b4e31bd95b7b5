import type { ColumnType, Generated } from 'kysely';
import type { ImportBaseTable, SourceIdentityTable, SourcePullTable } from './import-tables.js';

/**
 * The hub's own tables (schema `hub`), as Kysely sees them. Row types are snake_case and stay in
 * `src/db` and the repositories; the rest of the code sees domain types.
 */
export interface HubDatabase {
  'hub.run': RunTable;
  'hub.feed': FeedTable;
  'hub.transfer': TransferTable;
  'hub.disclosure': DisclosureTable;
  'hub.pseudonym_secret': PseudonymSecretTable;
  'hub.delivered_object': DeliveredObjectTable;
  'hub.recipient_state': RecipientStateTable;
  'hub.hold': HoldTable;
  'hub.forgotten_person': ForgottenPersonTable;
  'hub.audit': AuditTable;
  'hub.secret': SecretTable;
  'hub.api_token': ApiTokenTable;
  'hub.restriction': RestrictionTable;
  'hub.disclosure_summary': DisclosureSummaryTable;
  'hub.retention_sweep': RetentionSweepTable;
  'hub.source_identity': SourceIdentityTable;
  'hub.notification': NotificationTable;
  'hub.source_pull': SourcePullTable;
  'hub.import_base': ImportBaseTable;
}

/** The notification outbox: one row per event per channel, sent once (src/notify). */
export interface NotificationTable {
  event_key: string;
  channel: 'webhook' | 'email';
  kind: string;
  event: unknown;
  created_at: Generated<Date>;
  sent_at: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
}

/** An API token: only its sha-256 is kept; a role or a recipient it pulls for, never both. */
export interface ApiTokenTable {
  name: string;
  token_sha256: string;
  role: 'viewer' | 'operator' | 'privacy-admin' | 'config-admin' | null;
  recipient_id: string | null;
  created_at: Generated<Date>;
  created_by: string;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
}

/** GDPR Art. 18: a person kept out of one recipient's feeds, or every recipient's (`*`), until lifted. */
export interface RestrictionTable {
  id: Generated<string>;
  person_key: string;
  recipient_id: string;
  reason: string;
  requested_by: string;
  restricted_at: Timestamp;
  lifted_at: Timestamp | null;
  lifted_by: string | null;
  lift_reason: string | null;
}

/** What is left of a transfer's disclosure rows once they aged out (R3): counts, no person keys. */
export interface DisclosureSummaryTable {
  transfer_id: string;
  recipient_id: string;
  disclosed_at: Timestamp;
  persons: number;
  /** Category → persons it was disclosed for. */
  categories: unknown;
  reduced_at: Timestamp;
}

/** One row per daily retention sweep the scheduler fired (its id is the day), so it runs once. */
export interface RetentionSweepTable {
  id: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  summary: unknown;
}

export interface SecretTable {
  name: string;
  secret: Uint8Array;
  created_at: Generated<Date>;
}

export interface ForgottenPersonTable {
  person_key: string;
  reason: string;
  requested_by: string;
  forgotten_at: Timestamp;
}

export interface AuditTable {
  id: Generated<string>;
  at: Generated<Date>;
  actor: string;
  action: string;
  subject: string | null;
  detail: string | null;
  outcome: Generated<'done' | 'refused' | 'denied'>;
  /** Where the attempt came from: `local` for the CLI, a client address for the API. */
  source: string | null;
}

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface RunTable {
  id: string;
  trigger: 'schedule' | 'operator' | 'resync';
  requested_by: string | null;
  status: 'running' | 'completed' | 'failed';
  recipient_ids: string[];
  created_at: Generated<Date>;
  snapshot_at: Timestamp | null;
  finished_at: Timestamp | null;
  spool_path: string | null;
  persons: number | null;
  groups: number | null;
  memberships: number | null;
  error: string | null;
  /** The operator's reason (resync, retry). */
  reason: string | null;
  /** What a resync run forgets: `{ school?, person? }`; absent for a whole recipient. */
  resync: unknown;
  /** The snapshot's counts per school key (`SchoolCounts`); null before the snapshot or the guard. */
  school_counts: unknown;
  /** What the source sanity guard said of the snapshot; null until it looked. */
  source_check: SourceCheck | null;
  /** The drops the guard found, with their numbers (stopped or accepted); null when none. */
  source_drop: string | null;
  /** The operator's reason for accepting a source drop in this run (`--accept-source-drop`). */
  accept_source_drop_reason: string | null;
  /** How the run is carried out; null for runs recorded before owners were (owner unknown). */
  execution: RunExecution | null;
  owner_host: string | null;
  owner_pid: number | null;
  owner_started_at: Timestamp | null;
  /** The Europe/Oslo day the run's views are computed for (`YYYY-MM-DD`); set with the snapshot. */
  scope_date: string | null;
  /** The source's marker of the run's snapshot (RosterProperties.sourceMarker). */
  source_marker: string | null;
  /** When retention removed the run's snapshot and manifests. */
  files_removed_at: Timestamp | null;
}

export type SourceCheck = 'passed' | 'accepted' | 'stopped';

export type RunExecution = 'in-process' | 'private-queue' | 'shared-queue';

export interface FeedTable {
  id: string;
  run_id: string;
  recipient_id: string;
  feed_type: 'full' | 'delta';
  status: 'pending' | 'written' | 'empty' | 'failed';
  file_path: string | null;
  persons: number | null;
  groups: number | null;
  memberships: number | null;
  size_bytes: number | null;
  sha256_hex: string | null;
  created_at: Generated<Date>;
  written_at: Timestamp | null;
  write_ms: number | null;
  error: string | null;
  legal_basis: string | null;
  purpose: string | null;
  /** The effective profile the feed was written through (JSON). */
  profile: unknown;
  widenings: Generated<string[]>;
  override_reason: string | null;
  relays_to: Generated<string[]>;
  added: number | null;
  changed: number | null;
  deleted: number | null;
  /** contentHash of the profile the feed was written through; becomes the recipient state's on delivery. */
  profile_hash: string | null;
  /**
   * The recipient state's transfer id this feed was computed against (null: it held nothing). The
   * feed is delivered only while that is still the recipient's current delivered state.
   */
  based_on_transfer_id: string | null;
  /** Keyed fingerprint of the pseudonym secret the feed was written with (pseudonymised recipients). */
  pseudonym_fingerprint: string | null;
  /** When retention deleted the feed file. */
  file_removed_at: Timestamp | null;
}

/**
 * `offered`: a pull recipient may fetch the feed and has not acknowledged it yet; `deferred`: not written,
 * because an earlier feed still waits for the recipient's acknowledgement (caught up after it).
 */
export const transferStatuses = [
  'pending',
  'delivered',
  'failed',
  'held',
  'rejected',
  'skipped',
  'offered',
  'deferred',
] as const;
export type TransferStatus = (typeof transferStatuses)[number];

export interface DeliveredObjectTable {
  recipient_id: string;
  /** 1 person, 2 group, 3 membership: the order of a feed's sections. */
  object_type: number;
  object_key: string;
  hash: string;
  detail: unknown;
  transfer_id: string;
  /** A person's input hash (schemas/hub/0018-person-input-hash.ts); null for groups and memberships. */
  input_hash: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface RecipientStateTable {
  recipient_id: string;
  transfer_id: string;
  snapshot_at: Timestamp | null;
  profile_hash: string;
  objects: number;
  updated_at: Timestamp;
  /** The scope day the held objects were computed for. */
  scope_date: string | null;
  /** When an empty delta last confirmed the state exact for its snapshot, day and profile. */
  checked_at: Timestamp | null;
  /** The source's marker of the snapshot the state reflects (RosterProperties.sourceMarker). */
  source_marker: string | null;
  /** What the held objects are the view of (ViewBasis as JSON); null when unknown. */
  view_basis: string | null;
}

export interface HoldTable {
  transfer_id: string;
  recipient_id: string;
  run_id: string;
  reason: string;
  held_objects: number;
  added: number;
  changed: number;
  deleted: number;
  based_on_transfer_id: string | null;
  created_at: Timestamp;
  decision: 'approved' | 'rejected' | 'superseded' | null;
  decided_by: string | null;
  decision_reason: string | null;
  decided_at: Timestamp | null;
}

export interface PseudonymSecretTable {
  recipient_id: string;
  secret: Uint8Array;
  created_at: Generated<Date>;
}

export interface TransferTable {
  id: string;
  feed_id: string;
  run_id: string;
  recipient_id: string;
  transport_kind: string;
  trigger: 'schedule' | 'operator' | 'resync';
  status: TransferStatus;
  attempts: Generated<number>;
  created_at: Generated<Date>;
  delivered_at: Timestamp | null;
  location: string | null;
  size_bytes: number | null;
  sha256_hex: string | null;
  error: string | null;
  /** When a pull recipient could first fetch the feed; null for push transports. */
  offered_at: Timestamp | null;
}

export interface DisclosureTable {
  transfer_id: string;
  person_key: string;
  recipient_id: string;
  categories: string[];
  disclosed_at: Timestamp;
}
