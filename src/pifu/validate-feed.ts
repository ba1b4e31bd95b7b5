import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { memoryPages, validateXML } from 'xmllint-wasm';
import { HubError } from '../errors/index.js';
import { openGuardedFile } from './guarded-input.js';
import { defaultInputLimits, type InputLimits } from './input-limits.js';
import { findPackageRoot } from './package-root.js';
import { sanitizeValidatorMessage } from './validator-messages.js';

export interface FeedValidation {
  readonly valid: boolean;
  /** libxml2's messages, offending values blanked out: they may be personal data (docs/requirements.md#c4). */
  readonly errors: string[];
}

const schemaFileName = 'PIFU-IMS_SAS.xsd';
/** Past this size xmllint-wasm's in-memory file system and 4 GiB heap get tight; a native xmllint streams. */
const nativeThresholdBytes = 50 * 1024 * 1024;

let schemaText: Promise<string> | undefined;

function schemaPath(): string {
  return join(findPackageRoot(), 'schemas', 'pifu', schemaFileName);
}

function loadSchema(): Promise<string> {
  schemaText ??= readFile(schemaPath(), 'utf8');
  return schemaText;
}

/** `name`: what the messages call the file (its path, as the native path's say; else `feed.xml`). */
async function validateWithWasm(contents: string | Uint8Array, name = 'feed.xml'): Promise<FeedValidation> {
  const neededPages = Math.ceil((64 * 1024 * 1024 + 3 * contents.length) / (64 * 1024));
  const result = await validateXML({
    xml: [{ fileName: 'feed.xml', contents }],
    schema: [{ fileName: schemaFileName, contents: await loadSchema() }],
    initialMemoryPages: memoryPages.defaultInitialMemoryPages,
    maxMemoryPages: Math.min(memoryPages.max, Math.max(memoryPages.defaultMaxMemoryPages, neededPages)),
  });
  // Under a parser error libxml2 prints the source line and a caret, which xmllint-wasm reports as
  // errors without a position: they are the file's own text, so only positioned messages are kept.
  const errors = result.errors
    .filter((error) => error.loc !== null)
    .map((error) => sanitizeValidatorMessage(error.rawMessage.replace(/^feed\.xml(?=:)/, name)));
  if (!result.valid && errors.length === 0) errors.push(`${name}: fails to validate`);
  return { valid: result.valid, errors };
}

/** The first `xmllint` on PATH that this process may run, or undefined. */
export async function findXmllint(path = process.env['PATH'] ?? ''): Promise<string | undefined> {
  for (const directory of path.split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, 'xmllint');
    const isExecutable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (isExecutable) return candidate;
  }
  return undefined;
}

/**
 * Streams checked bytes into a native `xmllint` on its standard input, so it sees exactly what the
 * guard let through and never the file itself: `--nonet`, no catalogs, no entity substitution (and the
 * guard has refused any DOCTYPE before a byte reaches it). Killed at the time limit.
 */
async function validateWithNative(
  xmllint: string,
  path: string,
  chunks: AsyncIterable<Buffer>,
  limits: InputLimits,
): Promise<FeedValidation> {
  const child = spawn(
    xmllint,
    ['--noout', '--nonet', '--nocatalogs', '--stream', '--schema', schemaPath(), '-'],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 1024 * 1024) stderr += text;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  child.stdin.on('error', () => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), limits.maxSeconds * 1000);
  try {
    for await (const chunk of chunks) {
      if (!child.stdin.write(chunk)) {
        // Each wait takes its listeners off again: a large file waits thousands of times.
        await new Promise<void>((resolve) => {
          const done = (): void => {
            child.stdin.off('drain', done);
            child.off('close', done);
            resolve();
          };
          child.stdin.once('drain', done);
          child.once('close', done);
        });
      }
      if (child.exitCode !== null || child.signalCode !== null) break;
    }
    child.stdin.end();
  } catch (error) {
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const code = await exited.catch((error: unknown) => {
    throw new HubError('PIFU_FEED_INVALID', `xmllint could not run on ${path}`, { cause: error });
  });
  if (code === null) {
    throw new HubError(
      'PIFU_FILE_REFUSED',
      `${path}: validating took longer than the limit of ${limits.maxSeconds} s; nothing from it was used`,
    );
  }
  const errors = stderr
    .split('\n')
    .filter((line) => /^-:\d+:/.test(line))
    .map((line) => sanitizeValidatorMessage(`${path}${line.slice(1)}`));
  if (code !== 0 && errors.length === 0) errors.push(`${path}: fails to validate`);
  return { valid: code === 0, errors };
}

/** Validates a feed in memory against schemas/pifu/PIFU-IMS_SAS.xsd with xmllint-wasm (no native tools needed). */
export function validateFeedText(xml: string): Promise<FeedValidation> {
  return validateWithWasm(xml);
}

/**
 * Validates a PIFU file from outside against schemas/pifu/PIFU-IMS_SAS.xsd. Its bytes pass the input
 * guard first, on every path, and only guarded bytes reach a validator. Files up to 50 MB go to
 * xmllint-wasm in memory; larger ones stream into a native `xmllint` when one is on PATH, and are
 * refused without one (the in-memory validator would need several times the file in memory).
 */
export async function validateFeedFile(
  path: string,
  options: { limits?: InputLimits; xmllint?: string | undefined } = {},
): Promise<FeedValidation> {
  const limits = options.limits ?? defaultInputLimits;
  const file = await openGuardedFile(path, limits);
  if (file.size > nativeThresholdBytes) {
    const xmllint = 'xmllint' in options ? options.xmllint : await findXmllint();
    if (xmllint !== undefined) return validateWithNative(xmllint, path, file.chunks(), limits);
    for await (const _chunk of file.chunks()) {
      // Read through the guard, so a hostile file is refused as such.
    }
    throw new HubError(
      'PIFU_FILE_REFUSED',
      `${path}: ${file.size} bytes; validating a file over ${nativeThresholdBytes / 1024 / 1024} MB needs libxml2's xmllint on PATH (it streams); nothing was validated`,
    );
  }
  const parts: Buffer[] = [];
  for await (const chunk of file.chunks()) parts.push(chunk);
  const contents = new Uint8Array(Buffer.concat(parts));
  try {
    return await validateWithWasm(contents, path);
  } catch (error) {
    throw new HubError(
      'PIFU_FEED_INVALID',
      `xmllint-wasm could not validate ${path} (${file.size} bytes); install libxml2's xmllint`,
      { cause: error },
    );
  }
}
