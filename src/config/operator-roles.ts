import { z } from 'zod';
import { HubError } from '../errors/index.js';
import { readJsonFile } from './read-json-file.js';

/**
 * R4, least privilege: what an operator may do. `viewer` sees status (runs, transfers, queues, holds,
 * recipients); `operator` moves data (export, resync, preview, retry, hold decisions); `privacy-admin`
 * answers for personal data (disclosures, forget, audit); `config-admin` changes recipients and the
 * hub itself (migrate, seed). Sign-in and MFA are the host's (SSH, SSO): the hub trusts the OS user.
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

/** Refuses, with PIFU_FORBIDDEN, a user the grants do not give `role`. No grants file: everything allowed. */
export function requireRole(grants: RoleGrants | undefined, user: string, role: OperatorRole): void {
  if (grants === undefined) return;
  if (Object.hasOwn(grants, user) && (grants[user] ?? []).includes(role)) return;
  throw new HubError(
    'PIFU_FORBIDDEN',
    `user "${user}" lacks the ${role} role this command needs; grant it in the roles file (PIFU_HUB_ROLES_FILE)`,
  );
}
