import type { z } from 'zod';
import { HubError } from '../../src/errors/index.js';
import type { Transport, TransportFactory } from '../../src/ports/index.js';
import { FileDropTransport, fileDropConfigSchema } from './file-drop/index.js';
import { HttpsPushTransport, httpsPushConfigSchema } from './https-push/index.js';
import { SftpTransport, sftpConfigSchema } from './sftp/index.js';

/** Every transport the hub can use, by the `kind` a recipient config names. One line per transport. */
const transports: Record<string, { schema: z.ZodType; create: (config: never) => Transport }> = {
  'file-drop': { schema: fileDropConfigSchema, create: (config) => new FileDropTransport(config) },
  'https-push': { schema: httpsPushConfigSchema, create: (config) => new HttpsPushTransport(config) },
  sftp: { schema: sftpConfigSchema, create: (config) => new SftpTransport(config) },
};

const transportKinds = Object.keys(transports);

/** Validates a recipient's transport config; every problem as `path: message`. */
export function checkTransportConfig(config: { readonly kind: string }): string[] {
  const entry = transports[config.kind];
  if (entry === undefined)
    return [`transport.kind: unknown transport "${config.kind}"; known: ${transportKinds.join(', ')}`];
  const parsed = entry.schema.safeParse(config);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issuePath(issue)}: ${issue.message}`);
}

/** `transport.<path>`; an unknown key is named in the path when it is the only one. */
function issuePath(issue: z.core.$ZodIssue): string {
  const keys = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? issue.keys : [];
  return ['transport', ...issue.path.map(String), ...keys].join('.');
}

export const createTransport: TransportFactory = (config, recipientId) => {
  const entry = transports[config.kind];
  const problems = checkTransportConfig(config);
  if (entry === undefined || problems.length > 0) {
    throw new HubError('PIFU_RECIPIENT_INVALID', `recipient "${recipientId}": ${problems.join('; ')}`);
  }
  return entry.create(entry.schema.parse(config) as never);
};
