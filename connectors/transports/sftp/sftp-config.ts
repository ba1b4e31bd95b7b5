import { z } from 'zod';
import {
  secretSourceHint,
  secretSourceSchema,
  unknownKeysRefusal,
  type ConfigPlaces,
} from '../../../src/config/index.js';

const fingerprintHelp =
  'the server\'s host key fingerprint as "SHA256:<base64>", as `ssh-keyscan <host> | ssh-keygen -lf -` prints it (confirm it with the recipient out of band)';

const fingerprint = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, `${fingerprintHelp}`)
  .transform((value) => value.replace(/=$/, ''));

/** How the hub reaches an SFTP server: also the source pull's (sftp-source.ts). */
export const sftpConnectionShape = {
  host: z
    .string({ error: required('the SFTP server\'s host name, e.g. "sftp.example.no"') })
    .regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or IP address, without "sftp://" or a path'),
  port: z.int().min(1).max(65_535).default(22),
  username: z.string({ error: required('the account the hub logs in as') }).min(1, 'the account name'),
  privateKey: secretSourceSchema.describe('OpenSSH or PEM private key for public-key login.'),
  passphrase: secretSourceSchema.optional().describe('Passphrase of an encrypted private key.'),
  hostKey: z
    .union([fingerprint, z.array(fingerprint).min(1)], {
      error: (issue) =>
        issue.input === undefined
          ? `is required: ${fingerprintHelp}; the host key is pinned, the hub never trusts a key on first use`
          : `${fingerprintHelp}, or a list of them`,
    })
    .describe(
      'Pinned host key fingerprint(s) "SHA256:<base64>"; a list while the recipient rotates its key or offers several.',
    ),
  timeoutSeconds: z
    .number()
    .positive()
    .max(86_400)
    .default(60)
    .describe('Longest wait for the connection, for any progress, and for each answer.'),
  deadlineSeconds: z
    .number()
    .positive()
    .max(86_400)
    .default(3600)
    .describe('Longest a whole delivery may take.'),
};

const { timeoutSeconds, deadlineSeconds, ...login } = sftpConnectionShape;
const shape = {
  kind: z.literal('sftp'),
  ...login,
  directory: z
    .string({ error: required('the remote directory the recipient reads feeds from, e.g. "/inbound"') })
    .min(1, 'the remote directory the recipient reads feeds from'),
  timeoutSeconds,
  deadlineSeconds,
};

/**
 * Uploads each feed to a directory on the recipient's SFTP server (docs/requirements.md#r7: encrypted only).
 */
export const sftpConfigSchema = z.strictObject(shape, {
  error: unknownKeysRefusal(Object.keys(shape), (key) =>
    /passw/i.test(key)
      ? `password login is not supported (public-key only); use "privateKey": ${secretSourceHint}`
      : `use "privateKey" / "passphrase": ${secretSourceHint}`,
  ),
});

export type SftpConfig = z.infer<typeof sftpConfigSchema>;

/** The secret files the hub reads for this recipient, checked against PIFU_HUB_SECRETS_DIR at load. */
export function sftpConfigPlaces(config: SftpConfig): ConfigPlaces {
  return {
    secrets: [
      ['transport.privateKey', config.privateKey],
      ['transport.passphrase', config.passphrase],
    ],
  };
}

function required(fix: string) {
  return (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined ? `is required: ${fix}` : undefined;
}
