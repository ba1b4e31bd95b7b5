import type { ImportReport, LenientMode } from '../ports/index.js';

/**
 * An import's report in counts alone, for where a whole report does not go: the outcome of a file from a
 * drop folder or a pull, the line printed for it, and the audit rows. Each lenient mode is counted,
 * tolerating nothing or not, so an operator sees what the modes let through; never an id or value.
 */
export interface ImportTally {
  readonly counts: ImportReport['counts'];
  /** Every lenient mode of the import, with how many problems it tolerated (0 when none). */
  readonly tolerated: Readonly<Partial<Record<LenientMode, number>>>;
  /** Problems of rules not tolerated, per rule: the file was refused. Empty when accepted. */
  readonly refusedBy: Readonly<Partial<Record<LenientMode, number>>>;
  /** Dropped at the door, by kind (ImportReport.withheld). */
  readonly withheld: ImportReport['withheld'];
  readonly rekeyed: ImportReport['rekeyed'];
}

export function tallyImport(report: ImportReport): ImportTally {
  const lenient = new Set<string>(report.lenient);
  return {
    counts: report.counts,
    tolerated: Object.fromEntries(report.lenient.map((mode) => [mode, report.problemCounts[mode] ?? 0])),
    refusedBy: Object.fromEntries(
      Object.entries(report.problemCounts).filter(([rule]) => !lenient.has(rule)),
    ),
    withheld: report.withheld,
    rekeyed: report.rekeyed,
  };
}

const listed = (counts: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(counts)
    .map(([name, count]) => `${name} ${count ?? 0}`)
    .join(', ');

/**
 * The tally in one line, e.g. `3 persons, 2 groups, 4 memberships; lenient invalid-nin 1, duplicates 0;
 * withheld photo 1, password 1; re-keyed 3 persons, 1 groups`.
 */
export function describeTally(tally: ImportTally): string {
  const { persons, groups, memberships } = tally.counts;
  const tolerated =
    Object.keys(tally.tolerated).length === 0 ? 'strict' : `lenient ${listed(tally.tolerated)}`;
  const refused =
    Object.keys(tally.refusedBy).length === 0 ? '' : `; not tolerated ${listed(tally.refusedBy)}`;
  const withheld =
    Object.keys(tally.withheld).length === 0 ? 'nothing withheld' : `withheld ${listed(tally.withheld)}`;
  return (
    `${persons} persons, ${groups} groups, ${memberships} memberships; ${tolerated}${refused}; ${withheld}; ` +
    `re-keyed ${tally.rekeyed.persons} persons, ${tally.rekeyed.groups} groups`
  );
}
