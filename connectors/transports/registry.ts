import type { z } from 'zod';
import { configPlaceProblems, type ConfigPathRules, type ConfigPlaces } from '../../src/config/index.js';
import { HubError } from '../../src/errors/index.js';
import type { Transport, TransportFactory } from '../../src/ports/index.js';
import { FileDropTransport, fileDropConfigPlaces, fileDropConfigSchema } from './file-drop/index.js';
import { HttpsPushTransport, httpsPushConfigPlaces, httpsPushConfigSchema } from './https-push/index.js';
import { PullTransport, pullConfigPlaces, pullConfigSchema } from './pull/index.js';
import { SftpTransport, sftpConfigPlaces, sftpConfigSchema } from './sftp/index.js';

interface TransportEntry {
  readonly schema: z.ZodType;
  readonly create: (config: never) => Transport;
  /** The directories it writes and the secret files it reads, for the environment's path rules. */
  readonly places: (config: never) => ConfigPlaces;
}

/** Every transport the hub can use, by the `kind` a recipient config names. One line per transport. */
const transports: Record<string, TransportEntry> = {
  'file-drop': {
    schema: fileDropConfigSchema,
    create: (config) => new FileDropTransport(config),
    places: fileDropConfigPlaces,
  },
  'https-push': {
    schema: httpsPushConfigSchema,
    create: (config) => new HttpsPushTransport(config),
    places: httpsPushConfigPlaces,
  },
  sftp: { schema: sftpConfigSchema, create: (config) => new SftpTransport(config), places: sftpConfigPlaces },
  pull: { schema: pullConfigSchema, create: () => new PullTransport(), places: pullConfigPlaces },
};

const transportKinds = Object.keys(transports);

/**
 * Validates a recipient's transport config; every problem as `path: message`. With `rules` (from the
 * environment: PIFU_HUB_DROP_ROOT, PIFU_HUB_SECRETS_DIR) also where its directories and secret files
 * are; without, only its shape.
 */
export function checkTransportConfig(config: { readonly kind: string }, rules?: ConfigPathRules): string[] {
  const entry = transports[config.kind];
  if (entry === undefined)
    return [`transport.kind: unknown transport "${config.kind}"; known: ${transportKinds.join(', ')}`];
  const parsed = entry.schema.safeParse(config);
  if (!parsed.success) return parsed.error.issues.map((issue) => `${issuePath(issue)}: ${issue.message}`);
  return rules === undefined ? [] : configPlaceProblems(entry.places(parsed.data as never), rules);
}

/** `transport.<path>`; an unknown key is named in the path when it is the only one. */
function issuePath(issue: z.core.$ZodIssue): string {
  const keys = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? issue.keys : [];
  return ['transport', ...issue.path.map(String), ...keys].join('.');
}

/**
 * A recipient's transport. Its config's shape is checked again here; where its paths are was checked
 * when the recipients were loaded (the rules come from the environment, which this factory does not read).
 */
export const createTransport: TransportFactory = (config, recipientId) => {
  const entry = transports[config.kind];
  const problems = checkTransportConfig(config);
  if (entry === undefined || problems.length > 0) {
    throw new HubError('PIFU_RECIPIENT_INVALID', `recipient "${recipientId}": ${problems.join('; ')}`);
  }
  return entry.create(entry.schema.parse(config) as never);
};
