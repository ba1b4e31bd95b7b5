/**
 * How far a run's snapshot of the records store may shrink against the last good snapshot before the run
 * stops (no feed written) until an operator confirms the drop with `--accept-source-drop --reason`.
 * A drop counts when it is more than the percent AND at least `minDropCount` objects; a school that is
 * gone from the snapshot (or has lost every person) always counts.
 *
 * Why these defaults:
 * - Day-to-day churn is far below them: a municipality gains and loses well under 1 % of its persons a
 *   day, and a school rarely more than a few percent (one class moving is the biggest ordinary change).
 *   Runs are at least nightly, so the last good snapshot is about a day old.
 * - A partial source looks different: the reported case lost 15 % of all persons at once, and a failed
 *   import of one school loses a large share of that school while the total barely moves. 10 % overall
 *   catches the first; 25 % per school catches the second while the whole stays under 10 %.
 * - The school-year rollover is the one planned large drop. Where the records store removes leavers
 *   before it enrols newcomers, a school whose top year leaves loses 1/7 (barneskole) to 1/3
 *   (ungdomsskole, videregående) of its pupils in one night, and the whole about a tenth. The guard is
 *   expected to stop that run at the 3-year schools; an operator confirms the rollover once
 *   (`pifu-hub export … --accept-source-drop --reason "school year rollover"`), and that snapshot is
 *   the baseline from then on. Raise the school limit above 34 % to let a rollover through unattended.
 * - `minDropCount` keeps tiny schools from false alarms: 3 of 12 persons is 25 %, but it is one family.
 *   10 is below a class (about 25 pupils), so a small school losing a whole class still stops the run.
 */
export interface SourceDropLimits {
  /** The whole snapshot's persons, groups or memberships may shrink by at most this percent. */
  readonly maxDropPercent: number;
  /** One school's persons, groups or memberships may shrink by at most this percent. */
  readonly maxSchoolDropPercent: number;
  /** A smaller drop (in objects) never counts, whatever its percent. */
  readonly minDropCount: number;
}

export const defaultSourceDropLimits: SourceDropLimits = Object.freeze({
  maxDropPercent: 10,
  maxSchoolDropPercent: 25,
  minDropCount: 10,
});
