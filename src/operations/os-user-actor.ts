import { resolveOperatorRoles } from '../config/index.js';
import type { Actor } from './actor.js';

/**
 * The actor for an OS user at the CLI (`cli:alice`), with roles from the roles file; R4 fails closed
 * (see resolveOperatorRoles). `demoMode`: every role was granted because there is no roles file and the
 * database is the embedded one, which the face says once so nobody mistakes a demo for production.
 */
export function osUserActor(options: {
  readonly user: string;
  readonly rolesFile: string | undefined;
  readonly embedded: boolean;
}): { actor: Actor; demoMode: boolean } {
  const resolution = resolveOperatorRoles(options);
  return {
    actor: {
      name: `cli:${options.user}`,
      roles: resolution.roles,
      source: 'local',
      roleHint: resolution.hint,
    },
    demoMode: resolution.demoMode,
  };
}
