/**
 * The operator audit trail (docs/requirements.md R4): one row per attempt to show or move personal data
 * or to change the hub, whoever made it (CLI user, API token) and however it ended.
 */
export const auditActions = [
  'export',
  'import',
  'source-pull',
  'preview',
  'preview-file',
  'resync',
  'retry',
  'hold-approve',
  'hold-reject',
  'hold-show',
  'forget',
  'disclosures',
  'audit',
  'retention-check',
  'run-cancel',
  'runs',
  'run-show',
  'transfers',
  'holds',
  'queues',
  'queue-board',
  'worker',
  'scheduler',
  'migrate',
  'token-create',
  'tokens',
  'token-revoke',
  'recipients',
  'recipients-validate',
  'metrics',
  'pull-feed',
  'pull-ack',
  'restrict',
  'unrestrict',
  'retention',
  'report-access',
  'report-recipients',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** `done`: it happened; `refused`: it was checked and turned down, nothing changed; `denied`: no role. */
export type AuditOutcome = 'done' | 'refused' | 'denied';

export interface AuditEntry {
  readonly actor: string;
  readonly action: AuditAction;
  readonly outcome?: AuditOutcome;
  /** A person key, transfer id, run id or recipient id: what the action was about. */
  readonly subject?: string;
  readonly detail?: string;
  /** Where the attempt came from: `local` for the CLI, a client address for the API. */
  readonly source?: string;
}

export interface AuditRecord {
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly subject: string | null;
  readonly detail: string | null;
  readonly source: string | null;
}
