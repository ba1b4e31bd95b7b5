import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HubError } from '../errors/index.js';
import { configPlaceProblems, type ConfigPathRules } from './config-paths.js';
import { parseJsonText, readJsonFile, type JsonReading } from './read-json-file.js';
import { parseRecipientConfig, type RecipientConfig } from './recipient-config.js';

/**
 * The one validation of a set of recipient files, used by every process that loads them and by
 * `pifu-hub recipients validate`, so what one accepts the other accepts.
 */
export interface RecipientChecks {
  /**
   * The transport's own check of `transport` (its schema, its paths), every problem as
   * `transport.<path>: message`. Passed in because src/ knows no transport; without it only `kind` is
   * checked.
   */
  readonly checkTransport?: (transport: RecipientConfig['transport']) => readonly string[];
  /**
   * Where `pseudonymKey`'s secret file may be (PIFU_HUB_SECRETS_DIR); the transport's paths are its
   * `checkTransport`'s. Without it paths are checked only for their shape: a caller that does not know
   * the environment must not refuse what the environment allows.
   */
  readonly paths?: ConfigPathRules;
}

export interface RecipientFileResult {
  readonly path: string;
  /** The file's name, as every problem starts with it. */
  readonly file: string;
  /** Present when the file has no problem. */
  readonly config?: RecipientConfig;
  /** `file: path: message`, in the order of the checks: JSON, schema, paths, transport, unique id. */
  readonly problems: readonly string[];
}

/**
 * Validates recipient files as the hub loads them together: strict JSON (no duplicate or prototype
 * keys), the config schema (narrow-only, override reason, deny-list, EU/EEA, schedules as the scheduler
 * reads them), where secret files are, the transport's own check, and ids unique across the files.
 */
export function checkRecipientFiles(
  paths: readonly string[],
  checks: RecipientChecks = {},
): RecipientFileResult[] {
  const seen = new Map<string, string>();
  return paths.map((path) => {
    const file = basename(path);
    const checked = checkRecipient(readJsonFile(path), file, checks);
    if (checked.config === undefined) return { path, file, problems: checked.problems };
    const { config } = checked;
    const problems = [...checked.problems];
    const earlier = seen.get(config.id);
    if (earlier === undefined) seen.set(config.id, file);
    else problems.push(`${file}: id: "${config.id}" is already used by ${earlier}`);
    return problems.length === 0 ? { path, file, config, problems } : { path, file, problems };
  });
}

/**
 * One recipient config given as JSON text (the API's `POST /recipients/validate`), checked as a file of
 * that name would be, except for uniqueness across files. `config` is set when it parsed, even with
 * place or transport problems.
 */
export function checkRecipientText(
  text: string,
  file: string,
  checks: RecipientChecks = {},
): { config?: RecipientConfig; problems: readonly string[] } {
  return checkRecipient(parseJsonText(text), file, checks);
}

function checkRecipient(
  reading: JsonReading,
  file: string,
  checks: RecipientChecks,
): { config?: RecipientConfig; problems: readonly string[] } {
  if (reading.problems.length > 0) {
    return { problems: reading.problems.map((problem) => `${file}: ${problem.path}: ${problem.message}`) };
  }
  const parsed = parseRecipientConfig(reading.value, file);
  if (parsed.config === undefined) return { problems: parsed.problems };
  const config = parsed.config;
  const problems = [
    ...(checks.paths === undefined
      ? []
      : configPlaceProblems({ secrets: [['pseudonymKey', config.pseudonymKey]] }, checks.paths)),
    ...(checks.checkTransport?.(config.transport) ?? []),
  ].map((problem) => `${file}: ${problem}`);
  return { config, problems };
}

/** The configs of these files; one `PIFU_RECIPIENT_INVALID` carrying every problem when any has one. */
export function parseRecipientFiles(
  paths: readonly string[],
  checks: RecipientChecks = {},
): RecipientConfig[] {
  const results = checkRecipientFiles(paths, checks);
  const problems = results.flatMap((result) => result.problems);
  if (problems.length > 0) {
    throw new HubError('PIFU_RECIPIENT_INVALID', `${problems.length} problem(s): ${problems.join('; ')}`);
  }
  return results.map((result) => result.config!);
}

/**
 * Loads every `*.json` recipient file in a directory. Either all are valid or none is used: one error
 * carries every problem, so an operator fixes them in one go.
 */
export function loadRecipientConfigs(dir: string, checks: RecipientChecks = {}): RecipientConfig[] {
  return parseRecipientFiles(recipientFilesIn(dir), checks);
}

/** The `*.json` files of a recipients directory, sorted, as the hub loads them. */
function recipientFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => join(dir, name));
  } catch (error) {
    throw new HubError(
      'PIFU_CONFIG_INVALID',
      `cannot read recipients directory ${dir}; set PIFU_HUB_RECIPIENTS_DIR`,
      { cause: error },
    );
  }
}
