import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { HubError } from '../errors/index.js';
import { configPathSchema } from './config-paths.js';

/** How to write a secret in a config file; quoted in every refusal so the fix is one copy away. */
export const secretSourceHint = '{ "env": "VARIABLE_NAME" } or { "file": "/path/to/secret" }';

/**
 * Where a secret comes from: an environment variable or a file (e.g. a mounted Kubernetes or systemd
 * credential). Never the config text itself: a literal string is refused with a message saying how to
 * reference it instead, and the refusal never repeats the value.
 */
export const secretSourceSchema = z.union(
  [
    z.strictObject({
      env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as "LMS_TOKEN"'),
    }),
    z.strictObject({ file: configPathSchema('a path to a file holding the secret') }),
  ],
  {
    error: (issue) =>
      typeof issue.input === 'string'
        ? `a secret never goes in the config file: put it in an environment variable or a file and use ${secretSourceHint}`
        : `use exactly one of ${secretSourceHint}`,
  },
);

export type SecretSource = z.infer<typeof secretSourceSchema>;

/**
 * Reads a secret, the one way every secret is read. Each is text (a PEM or OpenSSH key, a certificate,
 * a token, a passphrase, a pseudonym key), so it is read as UTF-8 and the whitespace around it is
 * dropped (`String.prototype.trim`): the newline `echo` and editors add and the spaces a copy and paste
 * brings are never part of a secret. Pseudonym keys were always read this way, and a pseudonym key must
 * give the same pseudonyms for as long as it is used. `what` names the secret for the error (e.g.
 * `recipient "lms": transport.bearerToken`); errors name the variable or file, never the value.
 */
export async function readSecret(source: SecretSource, what: string): Promise<Buffer> {
  if ('env' in source) {
    const value = Buffer.from((process.env[source.env] ?? '').trim(), 'utf8');
    if (value.length === 0) {
      throw new HubError(
        'PIFU_CONFIG_INVALID',
        `${what}: environment variable ${source.env} is not set or empty; set it to the secret`,
      );
    }
    return value;
  }
  let text: string;
  try {
    text = await readFile(source.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new HubError('PIFU_CONFIG_INVALID', `${what}: cannot read secret file ${source.file} (${code})`);
  }
  const value = Buffer.from(text.trim(), 'utf8');
  if (value.length === 0) {
    throw new HubError('PIFU_CONFIG_INVALID', `${what}: secret file ${source.file} is empty`);
  }
  return value;
}

/** Where a secret comes from, for messages: the variable or file name, never the value. */
export function describeSecretSource(source: SecretSource): string {
  return 'env' in source ? `environment variable ${source.env}` : `file ${source.file}`;
}

/** Key names that suggest someone is about to paste a secret into a config file. */
const secretLikeKey = /token|passw|passphrase|secret|api[-_]?key|credential|private[-_]?key|^key$|auth/i;

/**
 * A zod error for unknown keys in a connector's strict config: a key that looks like a secret is
 * refused with `secretAdvice` (how to reference it instead), any other with the keys that are known.
 * Never repeats a value.
 */
export function unknownKeysRefusal(known: readonly string[], secretAdvice: (key: string) => string) {
  return (issue: { code?: string; keys?: readonly string[] }): string | undefined => {
    if (issue.code !== 'unrecognized_keys') return undefined;
    return (issue.keys ?? [])
      .map((key) =>
        secretLikeKey.test(key)
          ? `"${key}" looks like a secret, and secrets never go in the config file: ${secretAdvice(key)}`
          : `"${key}" is not a setting here; use ${known.join(', ')}`,
      )
      .join('; ');
  };
}
