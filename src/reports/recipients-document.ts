import type { ReportDocument } from './report-document.js';
import {
  categoryLabel,
  countryLabel,
  formatDay,
  populationLabel,
  type ReportLanguage,
} from './report-texts.js';

/** One recipient as a privacy declaration lists it. */
export interface RecipientEntry {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly purpose: string;
  readonly legalBasis: string;
  readonly country: string;
  readonly dpaReference: string;
  readonly relaysTo: readonly string[];
  readonly pseudonymised: boolean;
  /** Per population: the field categories (`pseudonym` instead of `name` when withheld) and id types. */
  readonly receives: readonly {
    readonly population: string;
    readonly fields: readonly string[];
    readonly idTypes: readonly string[];
  }[];
}

/** The live recipient list (R5): what the hub is configured to send, to whom, why and where. */
export interface RecipientsReport {
  readonly generatedAt: Date;
  readonly recipients: readonly RecipientEntry[];
}

const words = {
  title: {
    nb: 'Systemer som får opplysninger fra skolesystemet',
    en: 'Systems that receive data from the school system',
  },
  made: { nb: 'Laget fra gjeldende oppsett', en: 'Made from the configuration in force' },
  system: { nb: 'System', en: 'System' },
  purpose: { nb: 'Formål', en: 'Purpose' },
  basis: { nb: 'Rettslig grunnlag', en: 'Legal basis' },
  data: { nb: 'Opplysninger', en: 'Data' },
  ids: { nb: 'Identifikatorer', en: 'Identifiers' },
  country: { nb: 'Behandles i', en: 'Processed in' },
  relays: { nb: 'Sender videre til', en: 'Passes on to' },
  none: { nb: 'ingen', en: 'none' },
  noPersons: {
    nb: 'ingen personopplysninger (bare skoler og grupper)',
    en: 'no personal data (schools and groups only)',
  },
} as const;

interface Row {
  readonly system: string;
  readonly purpose: string;
  readonly basis: string;
  readonly data: readonly string[];
  readonly ids: readonly string[];
  readonly country: string;
  readonly relays: string;
}

function rowsOf(report: RecipientsReport, lang: ReportLanguage): Row[] {
  return report.recipients.map((recipient) => ({
    system: `${recipient.name} (${recipient.id})`,
    purpose: recipient.purpose,
    basis: recipient.legalBasis,
    data:
      recipient.receives.length === 0
        ? [words.noPersons[lang]]
        : recipient.receives.map(
            (entry) =>
              `${populationLabel(entry.population, lang)}: ${entry.fields.map((field) => categoryLabel(field, lang)).join(', ')}`,
          ),
    ids: recipient.receives
      .filter((entry) => entry.idTypes.length > 0)
      .map(
        (entry) =>
          `${populationLabel(entry.population, lang)}: ${entry.idTypes.map((id) => categoryLabel(`id:${id}`, lang)).join(', ')}`,
      ),
    country: countryLabel(recipient.country, lang),
    relays: recipient.relaysTo.length === 0 ? words.none[lang] : recipient.relaysTo.join(', '),
  }));
}

const header = (lang: ReportLanguage): string[] => [
  words.system[lang],
  words.purpose[lang],
  words.basis[lang],
  words.data[lang],
  words.ids[lang],
  words.country[lang],
  words.relays[lang],
];

export function recipientsReportDocument(report: RecipientsReport, lang: ReportLanguage): ReportDocument {
  return {
    lang,
    title: words.title[lang],
    blocks: [
      { kind: 'title', text: words.title[lang] },
      { kind: 'note', text: `${words.made[lang]}, ${formatDay(report.generatedAt, lang)}.` },
      {
        kind: 'table',
        header: header(lang),
        rows: rowsOf(report, lang).map((row) => cellsOf(row, lang)),
      },
    ],
  };
}

/** A recipient's row as the table's cells, in the header's order. */
function cellsOf(row: ReturnType<typeof rowsOf>[number], lang: ReportLanguage): string[] {
  return [
    row.system,
    row.purpose,
    row.basis,
    row.data.join('\n'),
    row.ids.length === 0 ? words.none[lang] : row.ids.join('\n'),
    row.country,
    row.relays,
  ];
}

const cell = (value: string): string => value.replaceAll('|', '\\|').replaceAll('\n', '<br>');

/** A Markdown table, one row per recipient, to paste into a privacy declaration. */
export function renderRecipientsMarkdown(report: RecipientsReport, lang: ReportLanguage): string {
  const head = header(lang);
  const lines = [
    `# ${words.title[lang]}`,
    '',
    `${words.made[lang]}, ${formatDay(report.generatedAt, lang)}.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rowsOf(report, lang).map((row) => `| ${cellsOf(row, lang).map(cell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}
