import type { ExportPreview, MaskedPerson } from '../../src/operations/index.js';
import { formatTable } from './output.js';

function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '(none)' : entries.map(([key, count]) => `${key} ${count}`).join(', ');
}

function formatSamplePerson(person: MaskedPerson): string {
  const parts = [
    person.name,
    person.bday === undefined ? undefined : `bday ${person.bday}`,
    person.gender === undefined ? undefined : `gender ${person.gender}`,
    person.status === undefined ? undefined : `status ${person.status}`,
    person.lang === undefined ? undefined : `lang ${person.lang}`,
    ...person.identifiers,
    ...person.emails,
    ...person.phones,
    ...person.addresses,
    person.guardianLinks === 0 ? undefined : `guardianLinks ${person.guardianLinks}`,
  ].filter((part) => part !== undefined);
  return `  ${person.key}: ${parts.join('; ')}`;
}

/** A dry run for a terminal: totals, then per-field, per-group-type and per-role counts, then any sample. */
export function formatPreview(report: ExportPreview): string {
  const lines = [
    `${report.recipient} (${report.kind}): dry run of snapshot ${report.snapshotAt}; nothing was written, delivered or recorded`,
    `persons ${report.counts.persons}, groups ${report.counts.groups}, memberships ${report.counts.memberships}`,
    report.delta === undefined
      ? `a ${report.feedType} feed of ${report.bytes} bytes`
      : `a delta of ${report.bytes} bytes: added ${report.delta.added}, changed ${report.delta.changed}, ` +
        `deleted ${report.delta.deleted} against what the recipient holds`,
  ];
  if (report.personsByPopulation !== undefined) {
    lines.push(`persons by registered population: ${formatCounts(report.personsByPopulation)}`);
  }
  if (report.unmatchedSchools.length > 0) {
    lines.push(
      `warning: the profile names schools the source does not have: ${report.unmatchedSchools.join(', ')}`,
    );
  }
  lines.push(
    '',
    formatTable(['disclosed field', 'persons'], Object.entries(report.disclosedFields)),
    '',
    formatTable(['group type', 'groups'], Object.entries(report.groupsByType)),
    '',
    formatTable(['roletype', 'memberships'], Object.entries(report.membershipsByRole)),
  );
  // `import --dry-run` asks for no sample: no line saying there is none.
  if (report.sample.length > 0) {
    lines.push(
      '',
      `sample: ${report.sample.length} person${report.sample.length === 1 ? '' : 's'}, values masked` +
        (report.provisionalPseudonyms === true
          ? ' (pseudonyms from a throwaway key: the real key is made at the first export)'
          : ''),
      ...report.sample.map(formatSamplePerson),
    );
  }
  return lines.join('\n');
}
