import type { ImportReport } from '../../src/operations/index.js';
import { formatTable } from './output.js';

/**
 * The import report as an operator reads it: counts (for a delta, of the roster it leaves, and what it
 * added, changed and deleted in the one it applies to), what was withheld or re-keyed, problems per object.
 */
export function formatImportReport(report: ImportReport): string {
  const { persons, groups, memberships } = report.counts;
  const lines = [
    `${report.file.path}: ${report.file.bytes} bytes, sha-256 ${report.file.sha256}`,
    `${report.feedType} export of ${report.datetime}: ${persons} persons, ${groups} groups, ${memberships} memberships`,
    ...(report.base === undefined || report.changes === undefined
      ? []
      : [
          `applied to the ${report.base.feedType} export of ${report.base.datetime} (run ${report.base.runId}): ` +
            (['persons', 'groups', 'memberships'] as const)
              .map((object) => {
                const { added, changed, deleted } = report.changes![object];
                return `${object} +${added} ~${changed} -${deleted}`;
              })
              .join(', '),
        ]),
    // Every person whose id is not a uuid the hub could adopt; a group only for a national number in its id.
    `re-keyed (the file's id replaced by a hub key): ${report.rekeyed.persons} persons; ` +
      `${report.rekeyed.groups} groups (${report.rekeyed.groupsForNationalNumber} for a national number in the ` +
      `group id, ${report.rekeyed.groups - report.rekeyed.groupsForNationalNumber} for another system's group with that id)`,
  ];
  const withheld = Object.entries(report.withheld);
  lines.push(
    withheld.length === 0
      ? 'withheld at the door: nothing'
      : `withheld at the door (never spooled): ${withheld.map(([kind, count]) => `${kind} ${count}`).join(', ')}`,
  );
  const counts = Object.entries(report.problemCounts);
  if (counts.length === 0) {
    lines.push('problems: none');
  } else {
    lines.push(
      `problems: ${counts
        .map(
          ([rule, count]) =>
            `${rule} ${count}${report.lenient.includes(rule as never) ? ' (tolerated)' : ''}`,
        )
        .join(', ')}`,
      formatTable(
        ['line', 'object', 'id', 'rule', 'what'],
        report.problems.map((problem) => [
          problem.line,
          problem.object,
          problem.id,
          problem.rule,
          problem.what,
        ]),
      ),
    );
  }
  if (report.lenient.length > 0) lines.push(`lenient: ${report.lenient.join(', ')}`);
  lines.push(report.refused ? 'REFUSED: nothing would be imported' : 'accepted');
  return lines.join('\n');
}
