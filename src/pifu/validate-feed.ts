import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { memoryPages, validateXML } from 'xmllint-wasm';
import { HubError } from '../errors/index.js';
import { findPackageRoot } from './package-root.js';

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

/** libxml2 quotes offending values ("The value '…'", "'…' is not a valid value"); keep the rule, drop the value. */
function redactValues(message: string): string {
  return message
    .replace(/([Tt]he value )'[^']*'/g, "$1'…'")
    .replace(/'[^']*'( is not a valid value)/g, "'…'$1");
}

async function validateWithWasm(contents: string | Uint8Array): Promise<FeedValidation> {
  const neededPages = Math.ceil((64 * 1024 * 1024 + 3 * contents.length) / (64 * 1024));
  const result = await validateXML({
    xml: [{ fileName: 'feed.xml', contents }],
    schema: [{ fileName: schemaFileName, contents: await loadSchema() }],
    initialMemoryPages: memoryPages.defaultInitialMemoryPages,
    maxMemoryPages: Math.min(memoryPages.max, Math.max(memoryPages.defaultMaxMemoryPages, neededPages)),
  });
  return { valid: result.valid, errors: result.errors.map((error) => redactValues(error.rawMessage)) };
}

/** Resolves undefined when no `xmllint` is installed (ENOENT); PATH lookup is left to the OS. */
function validateWithNative(path: string): Promise<FeedValidation | undefined> {
  return new Promise((resolve, reject) => {
    execFile(
      'xmllint',
      ['--noout', '--stream', '--schema', schemaPath(), path],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error !== null && error.code === 'ENOENT') {
          resolve(undefined);
          return;
        }
        if (error !== null && typeof error.code !== 'number') {
          reject(new HubError('PIFU_FEED_INVALID', `xmllint could not run on ${path}`, { cause: error }));
          return;
        }
        const errors = stderr
          .split('\n')
          .filter((line) => line !== '' && !line.endsWith(' validates'))
          .map(redactValues);
        resolve({ valid: error === null, errors });
      },
    );
  });
}

/** Validates a feed in memory against schemas/pifu/PIFU-IMS_SAS.xsd with xmllint-wasm (no native tools needed). */
export function validateFeedText(xml: string): Promise<FeedValidation> {
  return validateWithWasm(xml);
}

/**
 * Validates a feed file against schemas/pifu/PIFU-IMS_SAS.xsd. Files over 50 MB go to a native `xmllint
 * --stream` when one is on PATH, because xmllint-wasm holds the whole file in its memory; without one,
 * xmllint-wasm is tried with a heap sized to the file, and fails with a HubError if that is not enough.
 */
export async function validateFeedFile(path: string): Promise<FeedValidation> {
  const { size } = await stat(path);
  if (size > nativeThresholdBytes) {
    const native = await validateWithNative(path);
    if (native !== undefined) return native;
  }
  const contents = new Uint8Array(await readFile(path));
  try {
    return await validateWithWasm(contents);
  } catch (error) {
    throw new HubError(
      'PIFU_FEED_INVALID',
      `xmllint-wasm could not validate ${path} (${size} bytes); install libxml2's xmllint for feeds this large`,
      { cause: error },
    );
  }
}
