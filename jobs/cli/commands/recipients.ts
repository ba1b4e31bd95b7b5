import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readConfiguration } from '../../runtime.js';
import {
  HubError,
  describeRecipient,
  diffRecipients,
  listRecipients,
  type OperationContext,
} from '../../../src/operations/index.js';
import { emit } from '../cli-session.js';
import {
  formatRecipientDescription,
  formatRecipientDiff,
  formatRecipientList,
} from '../format-recipients.js';

/**
 * `pifu-hub recipients list|show|validate|diff`: the configured recipients as the privacy declaration
 * and the operators need to see them (R5, R6, R11). Reads config files only: no database, no source,
 * no queue.
 */

/** The recipients the environment configures (PIFU_HUB_RECIPIENTS_DIR), all valid or an error. */
function configured(): Pick<OperationContext, 'recipients'> {
  const recipients = readConfiguration().recipients();
  return { recipients: new Map(recipients.map((recipient) => [recipient.id, recipient])) };
}

export interface FilesValidation {
  /** `FILE: ok` for each valid file, `file: path: message` for each problem, in file order. */
  readonly lines: readonly string[];
  readonly files: number;
  readonly invalid: number;
}

/** Directories stand for their `*.json` files, sorted, as the hub loads them. */
function expandRecipientPaths(paths: readonly string[]): string[] {
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
  const results = readConfiguration(env).checkFiles(paths);
  return {
    lines: results.flatMap((result) =>
      result.problems.length === 0 ? [`${result.file}: ok`] : result.problems,
    ),
    files: results.length,
    invalid: results.filter((result) => result.problems.length > 0).length,
  };
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
      const summaries = listRecipients(configured());
      emit(options.json, summaries, () => formatRecipientList(summaries));
    });

  recipients
    .command('show')
    .description(
      'one recipient: effective profile, legal basis, purpose, processing country and DPA, override (no secrets)',
    )
    .argument('<id>', 'recipient id')
    .option('--json', 'one JSON object', false)
    .action((id: string, options: { json: boolean }) => {
      const description = describeRecipient(configured(), { recipient: id });
      emit(options.json, description, () => formatRecipientDescription(description));
    });

  recipients
    .command('validate')
    .description('check recipient files (default: the configured directory) without touching the database')
    .argument('[file...]', 'recipient files or directories of them')
    .option('--json', 'one JSON object per file: file, ok, problems', false)
    .action((files: string[], options: { json: boolean }) => {
      const { recipientsDir } = readConfiguration().env;
      const paths = expandRecipientPaths(files.length > 0 ? files : [recipientsDir]);
      if (paths.length === 0) {
        throw new HubError(
          'PIFU_CONFIG_INVALID',
          `no recipient files (*.json) in ${files.length > 0 ? files.join(', ') : recipientsDir}`,
        );
      }
      if (options.json) {
        const results = readConfiguration().checkFiles(paths);
        emit(
          true,
          results.map((result) => ({
            file: result.file,
            ok: result.problems.length === 0,
            problems: result.problems,
          })),
          () => '',
        );
        if (results.some((result) => result.problems.length > 0)) process.exitCode = 1;
        return;
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
      const needsConfigured = !a.endsWith('.json') || !b.endsWith('.json');
      const diff = diffRecipients(needsConfigured ? configured() : { recipients: new Map() }, {
        a,
        b,
        filesAllowed: true,
        checks: readConfiguration().checks,
      });
      emit(options.json, diff, () => formatRecipientDiff(diff));
    });

  return recipients;
}
