import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  checkRecipientFiles,
  loadRecipientConfigs,
  parseRecipientFiles,
  readEnvironment,
  type RecipientConfig,
} from '../../src/config/index.js';
import { recipientChecks } from '../runtime.js';
import { HubError } from '../../src/errors/index.js';
import { formatTable } from './output.js';
import {
  describeRecipient,
  diffRecipients,
  formatFieldCategories,
  formatValue,
  freezeWindows,
  summariseRecipient,
  type RecipientDescription,
  type RecipientDiff,
  type RecipientSummary,
} from './recipient-profiles.js';
import { profileKeys } from '../../src/profiles/index.js';

/**
 * `pifu-hub recipients list|show|validate|diff`: the configured recipients as the privacy declaration
 * and the operators need to see them (RECIPIENTS.md R5, R6, R11). Reads config files only: no database,
 * no source, no queue.
 */

/** The recipients the environment configures (PIFU_HUB_RECIPIENTS_DIR), all valid or an error. */
export function configuredRecipients(env: NodeJS.ProcessEnv = process.env): RecipientConfig[] {
  const hubEnv = readEnvironment(env);
  return loadRecipientConfigs(hubEnv.recipientsDir, recipientChecks(hubEnv));
}

export function findRecipient(configs: readonly RecipientConfig[], id: string): RecipientConfig {
  const found = configs.find((config) => config.id === id);
  if (found === undefined) {
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `no recipient "${id}"; configured: ${configs.map((config) => config.id).join(', ')}`,
    );
  }
  return found;
}

/** A recipient by id from the configured directory, or a single file when the argument ends in `.json`. */
export function recipientFromArgument(
  argument: string,
  configured: () => readonly RecipientConfig[],
): RecipientConfig {
  if (argument.endsWith('.json')) {
    return parseRecipientFiles([resolve(argument)], recipientChecks(readEnvironment()))[0]!;
  }
  return findRecipient(configured(), argument);
}

export interface FilesValidation {
  /** `FILE: ok` for each valid file, `file: path: message` for each problem, in file order. */
  readonly lines: readonly string[];
  readonly files: number;
  readonly invalid: number;
}

/** Directories stand for their `*.json` files, sorted, as the hub loads them. */
export function expandRecipientPaths(paths: readonly string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path, { throwIfNoEntry: false })?.isDirectory() === true
      ? readdirSync(path)
          .filter((name) => name.endsWith('.json'))
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
}

/**
 * Validates recipient files as the hub would load them together (src/config's `checkRecipientFiles`,
 * with this environment's transport and path checks).
 */
export function validateRecipientFiles(
  paths: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): FilesValidation {
  const results = checkRecipientFiles(paths, recipientChecks(readEnvironment(env)));
  return {
    lines: results.flatMap((result) =>
      result.problems.length === 0 ? [`${result.file}: ok`] : result.problems,
    ),
    files: results.length,
    invalid: results.filter((result) => result.problems.length > 0).length,
  };
}

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

/** Label/value lines with the labels padded to one width. */
function formatPairs(pairs: readonly (readonly [string, string])[], indent = ''): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`.trimEnd()).join('\n');
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

export function registerRecipientsCommand(program: Command): Command {
  const recipients = program
    .command('recipients')
    .description('the configured recipients: list, show, validate and compare their effective profiles');

  recipients
    .command('list')
    .description(
      'every configured recipient with what it receives per population (field categories, id types)',
    )
    .option('--json', 'one JSON object per recipient', false)
    .action((options: { json: boolean }) => {
      const summaries = configuredRecipients().map(summariseRecipient);
      if (options.json) for (const summary of summaries) console.log(JSON.stringify(summary));
      else console.log(formatRecipientList(summaries));
    });

  recipients
    .command('show')
    .description(
      'one recipient: effective profile, legal basis, purpose, processing country and DPA, override (no secrets)',
    )
    .argument('<id>', 'recipient id')
    .option('--json', 'one JSON object', false)
    .action((id: string, options: { json: boolean }) => {
      const description = describeRecipient(findRecipient(configuredRecipients(), id));
      console.log(options.json ? JSON.stringify(description) : formatRecipientDescription(description));
    });

  recipients
    .command('validate')
    .description('check recipient files (default: the configured directory) without touching the database')
    .argument('[file...]', 'recipient files or directories of them')
    .action((files: string[]) => {
      const paths = expandRecipientPaths(files.length > 0 ? files : [readEnvironment().recipientsDir]);
      if (paths.length === 0) {
        throw new HubError(
          'PIFU_CONFIG_INVALID',
          `no recipient files (*.json) in ${files.length > 0 ? files.join(', ') : readEnvironment().recipientsDir}`,
        );
      }
      const result = validateRecipientFiles(paths);
      for (const line of result.lines) console.log(line);
      if (result.invalid > 0) process.exitCode = 1;
    });

  recipients
    .command('diff')
    .description("how two recipients' effective profiles, legal basis and processing differ, key by key")
    .argument('<a>', 'recipient id, or a recipient file ending in .json')
    .argument('<b>', 'recipient id, or a recipient file ending in .json')
    .option('--json', 'one JSON object', false)
    .action((a: string, b: string, options: { json: boolean }) => {
      let configured: RecipientConfig[] | undefined;
      const load = (): RecipientConfig[] => (configured ??= configuredRecipients());
      const diff = diffRecipients(recipientFromArgument(a, load), recipientFromArgument(b, load));
      console.log(options.json ? JSON.stringify(diff) : formatRecipientDiff(diff));
    });

  return recipients;
}
