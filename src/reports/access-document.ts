import type { AccessReport } from './access-report.js';
import type { Block, ReportDocument } from './report-document.js';
import {
  categoryLabel,
  countryLabel,
  formatDay,
  personRoleLabel,
  text,
  type ReportLanguage,
} from './report-texts.js';

const list = (values: readonly string[]): string => values.join(', ');

/** The access report (Art. 15) as blocks a person reads, in bokmål or English. */
export function accessReportDocument(report: AccessReport, lang: ReportLanguage): ReportDocument {
  const day = (date: Date): string => formatDay(date, lang);
  const yesNo = (value: boolean): string => text(value ? 'yes' : 'no', lang);
  const blocks: Block[] = [
    { kind: 'title', text: text('title', lang) },
    { kind: 'paragraph', text: text('intro', lang) },
    {
      kind: 'pairs',
      rows: [
        [text('person', lang), report.personKey],
        [text('generated', lang), day(report.generatedAt)],
      ],
    },
    { kind: 'heading', text: text('sourceHeading', lang) },
  ];
  const { source } = report;
  if (!source.present) {
    blocks.push({ kind: 'paragraph', text: text('sourceAbsent', lang) });
  } else {
    blocks.push({ kind: 'paragraph', text: text('sourceIntro', lang) });
    blocks.push({
      kind: 'pairs',
      rows: [
        [
          text('registeredAs', lang),
          list(source.populations.map((population) => personRoleLabel(population, lang))),
        ],
      ],
    });
    blocks.push({ kind: 'list', items: source.categories.map((category) => categoryLabel(category, lang)) });
    if (source.values !== undefined) {
      const { values } = source;
      blocks.push({ kind: 'subheading', text: text('valuesHeading', lang) });
      blocks.push({
        kind: 'pairs',
        rows: [
          [categoryLabel('name', lang), values.name],
          ...(values.birthDate === undefined
            ? []
            : [[categoryLabel('bday', lang), values.birthDate] as const]),
          ...(values.gender === undefined ? [] : [[categoryLabel('gender', lang), values.gender] as const]),
          [categoryLabel('status', lang), values.status],
          ...(values.preferredLanguage === undefined
            ? []
            : [[categoryLabel('lang', lang), values.preferredLanguage] as const]),
          ...Object.entries(values.details).map(
            ([category, found]) => [categoryLabel(category, lang), found.join('; ')] as const,
          ),
        ],
      });
    }
  }

  blocks.push({ kind: 'heading', text: text('hubHeading', lang) });
  blocks.push({ kind: 'paragraph', text: text('hubIntro', lang) });
  const { hub } = report;
  const nameOf = (id: string): string => report.recipients.find((r) => r.recipientId === id)?.name ?? id;
  blocks.push({
    kind: 'pairs',
    rows: [
      [text('heldBy', lang), hub.heldBy.length === 0 ? '–' : list(hub.heldBy.map(nameOf))],
      [text('feedFiles', lang), String(hub.feedFiles)],
      [text('auditEntries', lang), String(hub.auditEntries)],
      ...(hub.forgotten === null ? [] : [[text('forgotten', lang), day(hub.forgotten.at)] as const]),
    ],
  });
  if (hub.restrictions.length > 0) {
    blocks.push({ kind: 'subheading', text: text('restrictionsHeading', lang) });
    blocks.push({
      kind: 'list',
      items: hub.restrictions.map(
        (restriction) =>
          `${text('restrictedFor', lang)} ${restriction.recipientId === '*' ? text('allSystems', lang) : nameOf(restriction.recipientId)}: ` +
          `${day(restriction.restrictedAt)}–${restriction.liftedAt === null ? '' : day(restriction.liftedAt)} ` +
          `(${restriction.liftedAt === null ? text('active', lang) : text('lifted', lang)})`,
      ),
    });
  }

  blocks.push({ kind: 'heading', text: text('recipientsHeading', lang) });
  if (report.recipients.length === 0) blocks.push({ kind: 'paragraph', text: text('noRecipients', lang) });
  for (const recipient of report.recipients) {
    blocks.push({
      kind: 'subheading',
      text: recipient.configured ? recipient.name : `${recipient.name} (${text('notConfigured', lang)})`,
    });
    blocks.push({
      kind: 'pairs',
      rows: [
        [text('country', lang), countryLabel(recipient.country, lang)],
        [text('holdsNow', lang), yesNo(recipient.holdsNow)],
        ...(recipient.restricted ? [[text('restricted', lang), yesNo(true)] as const] : []),
      ],
    });
    for (const period of recipient.periods) {
      const span =
        period.from.getTime() === period.to.getTime()
          ? day(period.from)
          : `${day(period.from)}–${day(period.to)}`;
      blocks.push({
        kind: 'pairs',
        rows: [
          [
            text('period', lang),
            `${span} (${period.transfers} ${text(period.transfers === 1 ? 'transfer' : 'transfers', lang)})`,
          ],
          [text('purpose', lang), period.purpose ?? '–'],
          [text('legalBasis', lang), period.legalBasis ?? '–'],
          [
            text('categories', lang),
            list(period.categories.map((category) => categoryLabel(category, lang))),
          ],
          ...(period.relaysTo.length === 0 ? [] : [[text('relays', lang), list(period.relaysTo)] as const]),
        ],
      });
    }
  }

  blocks.push({ kind: 'heading', text: text('retentionHeading', lang) });
  blocks.push({
    kind: 'paragraph',
    text: text('retention', lang, {
      years: String(report.retention.disclosureYears),
      days: String(report.retention.feedDays),
    }),
  });
  blocks.push({
    kind: 'note',
    text: text('countsOnly', lang, { date: day(report.retention.countsOnlyBefore) }),
  });
  blocks.push({ kind: 'paragraph', text: text('rights', lang) });
  return { lang, title: text('title', lang), blocks };
}
