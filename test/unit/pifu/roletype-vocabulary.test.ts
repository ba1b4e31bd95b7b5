import { membershipRoles } from '../../../src/model/index.js';
import { isRoletypeCode, roleOfRoletype, roleType, roletypeCodes } from '../../../src/pifu/index.js';
import { membershipStateKey, parseMembershipStateKey } from '../../../src/state/held-object.js';

describe('the one roletype table', () => {
  it('gives every membership role its own roletype, and every roletype 01..08 a role', () => {
    expect(membershipRoles.map((role) => roleType[role]).sort()).toEqual([...roletypeCodes]);
  });

  it('reads back: the role of a role’s roletype is the role', () => {
    for (const role of membershipRoles) expect(roleOfRoletype[roleType[role]]).toBe(role);
  });

  it('knows exactly the two-digit codes 01..08', () => {
    expect(roletypeCodes.every(isRoletypeCode)).toBe(true);
    for (const code of ['1', '00', '09', '10', '', undefined]) expect(isRoletypeCode(code)).toBe(false);
  });

  it('keys delivered memberships as before: the roletype is the role’s position in roletype order', () => {
    // Keys already stored in hub.delivered_object were written as (position + 1), zero-padded.
    membershipRoles.forEach((role, position) => {
      const key = membershipStateKey({ groupKey: 'g', personKey: 'p', role });
      expect(key).toBe(`g\u0001p\u0001${String(position + 1).padStart(2, '0')}`);
      expect(parseMembershipStateKey(key)).toEqual({ groupKey: 'g', personKey: 'p', role });
    });
  });
});
