import { z } from 'zod';
import {
  secretSourceHint,
  secretSourceSchema,
  unknownKeysRefusal,
  type ConfigPlaces,
} from '../../../src/config/index.js';

/** Headers the transport sets itself, or that carry credentials: never from `headers`. */
const reservedHeaders = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'content-type',
  'content-length',
  'content-digest',
  'content-disposition',
  'idempotency-key',
  'host',
  'transfer-encoding',
  'connection',
  'expect',
]);
const secretLikeHeader = /token|secret|api[-_]?key|auth|passw|session|signature|^sig$|^key$/i;

const httpsUrl = z
  .string({ error: required('the recipient\'s endpoint, e.g. "https://lms.example.no/pifu"') })
  .superRefine((value, context) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      context.addIssue({ code: 'custom', message: 'an absolute URL such as "https://lms.example.no/pifu"' });
      return;
    }
    if (url.protocol === 'http:') {
      context.addIssue({
        code: 'custom',
        message:
          "plain http:// is refused: feeds travel encrypted only (docs/requirements.md#r7); use the recipient's https:// URL",
      });
    } else if (url.protocol !== 'https:') {
      context.addIssue({
        code: 'custom',
        message: `${url.protocol} is not supported here; use an https:// URL (docs/requirements.md#r7)`,
      });
    }
    const secretParameter = [...url.searchParams.keys()].find((name) => secretLikeHeader.test(name));
    if (secretParameter !== undefined) {
      context.addIssue({
        code: 'custom',
        message: `the query parameter "${secretParameter}" looks like a credential, and secrets never go in the config file; use "bearerToken": ${secretSourceHint}`,
      });
    }
    if (url.username !== '' || url.password !== '') {
      context.addIssue({
        code: 'custom',
        message: `credentials in the URL are refused: secrets never go in the config file; use "bearerToken": ${secretSourceHint}`,
      });
    }
  });

const headerSchema = z.record(z.string(), z.string()).superRefine((headers, context) => {
  for (const name of Object.keys(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      context.addIssue({ code: 'custom', path: [name], message: 'not a valid HTTP header name' });
    } else if (reservedHeaders.has(name.toLowerCase())) {
      context.addIssue({
        code: 'custom',
        path: [name],
        message:
          name.toLowerCase() === 'authorization'
            ? `set by the transport from "bearerToken": ${secretSourceHint}`
            : 'set by the transport; it cannot be overridden',
      });
    } else if (secretLikeHeader.test(name)) {
      context.addIssue({
        code: 'custom',
        path: [name],
        message: `looks like a credential, and secrets never go in the config file: use "bearerToken": ${secretSourceHint} or "clientCertificate"`,
      });
    }
  }
});

const seconds = (fallback: number, what: string) =>
  z.number().positive(`${what}, in seconds`).max(86_400).default(fallback).describe(what);

const shape = {
  kind: z.literal('https-push'),
  url: httpsUrl,
  bearerToken: secretSourceSchema.optional().describe('Sent as "Authorization: Bearer <token>".'),
  clientCertificate: z
    .strictObject(
      {
        cert: secretSourceSchema.describe('PEM client certificate.'),
        key: secretSourceSchema.describe('PEM private key of the client certificate.'),
        ca: secretSourceSchema
          .optional()
          .describe('PEM intermediate certificates sent with the client certificate.'),
      },
      {
        error: unknownKeysRefusal(['cert', 'key', 'ca'], () => `use "key": ${secretSourceHint}`),
      },
    )
    .optional()
    .describe('Mutual TLS: the certificate the hub presents to the recipient.'),
  ca: secretSourceSchema
    .optional()
    .describe("PEM CA certificate(s) to trust for the recipient's server, instead of the public CAs."),
  timeoutSeconds: seconds(60, 'Longest wait for the connection, for any progress, and for the answer'),
  deadlineSeconds: seconds(3600, 'Longest a whole delivery may take'),
  headers: headerSchema.optional().describe('Extra, non-secret request headers.'),
};

/** POSTs each feed to the recipient's HTTPS endpoint (docs/requirements.md#r7: TLS only). */
export const httpsPushConfigSchema = z.strictObject(shape, {
  error: unknownKeysRefusal(Object.keys(shape), (key) =>
    /passw/i.test(key)
      ? `password authentication is not supported; use "bearerToken": ${secretSourceHint} or "clientCertificate"`
      : `use "bearerToken": ${secretSourceHint}`,
  ),
});

export type HttpsPushConfig = z.infer<typeof httpsPushConfigSchema>;

/** The secret files the hub reads for this recipient, checked against PIFU_HUB_SECRETS_DIR at load. */
export function httpsPushConfigPlaces(config: HttpsPushConfig): ConfigPlaces {
  return {
    secrets: [
      ['transport.bearerToken', config.bearerToken],
      ['transport.clientCertificate.cert', config.clientCertificate?.cert],
      ['transport.clientCertificate.key', config.clientCertificate?.key],
      ['transport.clientCertificate.ca', config.clientCertificate?.ca],
      ['transport.ca', config.ca],
    ],
  };
}

function required(fix: string) {
  return (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined ? `is required: ${fix}` : undefined;
}
