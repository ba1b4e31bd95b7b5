import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveOperatorRoles } from '../../../src/config/index.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const rolesFile = (grants: Record<string, string[]>): string => {
  const path = join(scratchDir('pifu-roles-'), 'roles.json');
  writeFileSync(path, JSON.stringify(grants));
  return path;
};

describe('operator roles fail closed (R4)', () => {
  it('grants no role against PostgreSQL when there is no roles file, and says how to get one', () => {
    const resolution = resolveOperatorRoles({ rolesFile: undefined, embedded: false, user: 'alice' });
    expect([...resolution.roles]).toEqual([]);
    expect(resolution.demoMode).toBe(false);
    expect(resolution.hint).toContain('PIFU_HUB_ROLES_FILE');
  });

  it('grants every role only on the embedded database without a roles file, as demo mode', () => {
    const resolution = resolveOperatorRoles({ rolesFile: undefined, embedded: true, user: 'alice' });
    expect([...resolution.roles].sort()).toEqual(['config-admin', 'operator', 'privacy-admin', 'viewer']);
    expect(resolution.demoMode).toBe(true);
  });

  it('lets a roles file decide on either database; any role includes viewer; an unlisted user has none', () => {
    const file = rolesFile({ alice: ['operator'], bob: ['privacy-admin', 'viewer'] });
    for (const embedded of [false, true]) {
      const roles = (user: string) =>
        [...resolveOperatorRoles({ rolesFile: file, embedded, user }).roles].sort();
      expect(roles('alice')).toEqual(['operator', 'viewer']);
      expect(roles('bob')).toEqual(['privacy-admin', 'viewer']);
      expect(roles('mallory')).toEqual([]);
      expect(resolveOperatorRoles({ rolesFile: file, embedded, user: 'alice' }).demoMode).toBe(false);
    }
  });

  it('refuses a roles file that grants one user twice (a duplicate JSON key)', () => {
    const path = join(scratchDir('pifu-roles-'), 'roles.json');
    writeFileSync(path, '{ "alice": ["viewer"], "alice": ["config-admin"] }');
    expect(() => resolveOperatorRoles({ rolesFile: path, embedded: false, user: 'alice' })).toThrow(
      /PIFU_CONFIG_INVALID: .*alice/,
    );
  });
});
