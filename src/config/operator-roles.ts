import { z } from 'zod';
import { HubError } from '../errors/index.js';
import { readJsonFile } from './read-json-file.js';

/**
 * R4, least privilege: what an operator may do. `viewer` sees status (runs, transfers, queues, holds,
 * recipients); `operator` moves data (export, resync, preview, retry, hold decisions); `privacy-admin`
 * answers for personal data (disclosures, forget, audit); `config-admin` changes recipients and the
 * hub itself (migrate). Any role includes `viewer`. Sign-in and MFA are the host's (SSH, SSO): the hub
 * trusts the OS user.
 */
export const operatorRoles = ['viewer', 'operator', 'privacy-admin', 'config-admin'] as const;
export type OperatorRole = (typeof operatorRoles)[number];

const grantsSchema = z.record(z.string().min(1), z.array(z.enum(operatorRoles)));

export type RoleGrants = Readonly<Record<string, readonly OperatorRole[]>>;

/** Reads a roles file (`{ "alice": ["operator", "privacy-admin"] }`); undefined path means no file. */
export function loadRoleGrants(path: string | undefined): RoleGrants | undefined {
  if (path === undefined) return undefined;
  // Strict JSON: a duplicate user key would silently take the last grant with JSON.parse.
  const reading = readJsonFile(path);
  if (reading.problems.length > 0) {
    const problems = reading.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw new HubError(
      'PIFU_CONFIG_INVALID',
      `cannot read roles file ${path} (PIFU_HUB_ROLES_FILE): ${problems.join('; ')}`,
    );
  }
  const parsed = grantsSchema.safeParse(reading.value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new HubError('PIFU_CONFIG_INVALID', `roles file ${path}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** The roles an OS user holds, and why, for the CLI's actor. */
export interface RoleResolution {
  readonly roles: ReadonlySet<OperatorRole>;
  /** Every role, because there is no roles file and the database is the embedded demo one. */
  readonly demoMode: boolean;
  /** Why the user holds no role at all, said in every refusal. */
  readonly hint: string;
}

/**
 * R4 fails closed: a roles file decides; without one, only the embedded database (a demo or a
 * one-person installation on one machine) grants every role, and against PostgreSQL — a shared,
 * production database — no role is granted at all, so every role-checked command is refused until an
 * administrator writes the file.
 */
export function resolveOperatorRoles(options: {
  readonly rolesFile: string | undefined;
  readonly embedded: boolean;
  readonly user: string;
}): RoleResolution {
  if (options.rolesFile !== undefined) {
    const grants = loadRoleGrants(options.rolesFile) ?? {};
    // A user named like an Object property (`constructor`) must not match an inherited one.
    const granted = Object.hasOwn(grants, options.user) ? (grants[options.user] ?? []) : [];
    // Every role sees status: an operator deciding a hold must be able to list the holds.
    return {
      roles: new Set(granted.length === 0 ? [] : ['viewer', ...granted]),
      demoMode: false,
      hint: `grant it to "${options.user}" in the roles file ${options.rolesFile} (PIFU_HUB_ROLES_FILE)`,
    };
  }
  if (options.embedded) {
    return {
      roles: new Set(operatorRoles),
      demoMode: true,
      hint: 'the embedded database grants every role when no roles file is set',
    };
  }
  return {
    roles: new Set(),
    demoMode: false,
    hint:
      'no roles file is set (PIFU_HUB_ROLES_FILE), and against PostgreSQL that grants no role; ' +
      'write one granting roles per OS user, e.g. { "alice": ["operator"] }',
  };
}
