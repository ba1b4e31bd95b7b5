import {
  freezeWindows,
  formatValue,
  profileKeys,
  type RecipientDescription,
  type RecipientDiff,
  type RecipientSummary,
} from '../../src/operations/index.js';
import type { RecipientConfig } from '../../src/operations/index.js';
import { formatFieldCategories } from './format-categories.js';
import { formatPairs, formatTable } from './output.js';

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

export function formatRecipientList(summaries: readonly RecipientSummary[]): string {
  const overview = formatTable(
    ['id', 'kind', 'name', 'country', 'transport', 'populations', 'guardians', 'pseudonymised', 'override'],
    summaries.map((summary) => [
      summary.id,
      summary.kind,
      summary.name,
      summary.country,
      summary.transport,
      formatValue(summary.populations),
      summary.guardians,
      yesNo(summary.pseudonymised),
      yesNo(summary.override),
    ]),
  );
  const receives = formatTable(
    ['recipient', 'population', 'fields', 'id types'],
    summaries.flatMap((summary) =>
      summary.receives.length === 0
        ? [[summary.id, '-', '(no persons: schools and groups only)', '-']]
        : summary.receives.map((row) => [
            summary.id,
            row.population,
            formatFieldCategories(row.fields),
            formatValue(row.idTypes),
          ]),
    ),
  );
  return `${overview}\n\nwhat each recipient receives, per population\n\n${receives}`;
}

/** `accepts full, delta; heartbeat no; hold a delta deleting > 5 % or changing > 20 %; freeze (none)` */
function formatFeedSettings(config: Pick<RecipientConfig, 'feed'>): string {
  const feed = config.feed;
  if (feed === undefined) return '-';
  return [
    `accepts ${formatValue(feed.accepts)}`,
    `heartbeat ${yesNo(feed.heartbeat)}`,
    `hold a delta deleting > ${feed.safety.maxDeletePercent} % or changing > ${feed.safety.maxChangePercent} %`,
    `freeze ${formatValue(freezeWindows(config))}`,
  ].join('; ');
}

export function formatRecipientDescription(description: RecipientDescription): string {
  const { contact, schedule, override } = description;
  const scheduled = [
    schedule.full === undefined ? undefined : `full ${schedule.full}`,
    schedule.delta === undefined ? undefined : `delta ${schedule.delta}`,
  ].filter((part) => part !== undefined);
  const header = formatPairs([
    ['kind', description.kind],
    ['purpose', description.purpose],
    ['legal basis', description.legalBasis],
    ['processing', `${description.processing.country} (EU/EEA), DPA ${description.processing.dpaReference}`],
    [
      'contact',
      `${contact.name} <${contact.email}>${contact.phone === undefined ? '' : ` ${contact.phone}`}`,
    ],
    ['relays to', formatValue(description.relaysTo)],
    ['schedule', scheduled.length === 0 ? '-' : `${scheduled.join('; ')} (Europe/Oslo)`],
    ['feeds', formatFeedSettings(description)],
    ['transport', description.transport.kind],
    ['pseudonym key', description.pseudonymKey ?? '-'],
    ['override', override === null ? 'no' : `yes: ${override.reason}`],
    ...(override === null ? [] : [['widens', formatValue(override.widenings)] as const]),
  ]);
  const profile = formatTable(
    ['key', 'value', `vs the ${description.kind} default`],
    profileKeys.map((key) => [
      key,
      formatValue(description.profile[key]),
      description.changedFromDefault[key] ?? '',
    ]),
  );
  const receives =
    description.receives.length === 0
      ? 'no persons: schools and groups only'
      : formatTable(
          ['population', 'fields', 'id types'],
          description.receives.map((row) => [
            row.population,
            formatFieldCategories(row.fields),
            formatValue(row.idTypes),
          ]),
        );
  return [
    `${description.id}: ${description.name}`,
    header,
    '',
    'effective profile',
    profile,
    '',
    'what each population receives',
    receives,
  ].join('\n');
}

export function formatRecipientDiff(diff: RecipientDiff): string {
  const title = `${diff.a} (A) vs ${diff.b} (B)`;
  if (diff.identical) return `${title}: no differences`;
  const pairs: [string, string][] = [];
  for (const { key, a, b } of diff.scalars) pairs.push([key, `A: ${a}`], ['', `B: ${b}`]);
  for (const { key, onlyA, onlyB } of diff.lists) {
    pairs.push([key, `only A: ${formatValue(onlyA)}`], ['', `only B: ${formatValue(onlyB)}`]);
  }
  const count = diff.scalars.length + diff.lists.length;
  return `${title}: ${count} key${count === 1 ? '' : 's'} differ\n${formatPairs(pairs)}`;
}
