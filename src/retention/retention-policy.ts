/**
 * How long the hub keeps what it holds (docs/requirements.md#r3), configured in one place
 * (src/config/environment.ts) with these defaults:
 *
 * - a run's roster snapshot and its feeds' manifests: until every feed of the run is acknowledged or
 *   dead, plus `runGraceDays`;
 * - a delivered feed file: `feedDays` after delivery, for re-delivery by hand; a failed transfer stays
 *   retryable for as long, unless the recipient received something since (then `retry` refuses it);
 * - disclosure rows: `disclosureYears`, then reduced to per-transfer counts.
 */
export interface RetentionPolicy {
  readonly runGraceDays: number;
  readonly feedDays: number;
  readonly disclosureYears: number;
}

export const defaultRetentionPolicy: RetentionPolicy = Object.freeze({
  runGraceDays: 2,
  feedDays: 7,
  disclosureYears: 5,
});

export const retentionBounds = {
  runGraceDays: { min: 0, max: 365 },
  feedDays: { min: 0, max: 3650 },
  disclosureYears: { min: 1, max: 100 },
} as const;
