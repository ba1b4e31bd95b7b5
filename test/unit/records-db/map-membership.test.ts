import { mapMembership } from '../../../connectors/sources/records-db/read-memberships.js';

describe('a records store membership row as a membership', () => {
  it('maps the roletype to its role, with optional fields only when present, in the model’s order', () => {
    const bare = mapMembership('g-1', 'p-1', '02', null, true, false, null, null, null);
    expect(JSON.stringify(bare)).toBe(
      '{"groupKey":"g-1","personKey":"p-1","role":"teacher","isActive":true,"isPrimary":false}',
    );
    const full = mapMembership('g-1', 'p-1', '01', 'E', false, true, '2026', '2026-08-15', null);
    expect(JSON.stringify(full)).toBe(
      '{"groupKey":"g-1","personKey":"p-1","role":"pupil","subrole":"E","isActive":false,"isPrimary":true,' +
        '"timeframe":{"begin":"2026-08-15","adminPeriod":"2026"}}',
    );
  });

  it('refuses a roletype the hub cannot map, naming the row by its keys', () => {
    for (const roletype of ['09', 'toString', ''])
      expect(() => mapMembership('g-1', 'p-1', roletype, null, true, true, null, null, null)).toThrow(
        expect.objectContaining({
          code: 'PIFU_SOURCE_INVALID',
          message: expect.stringContaining('g-1/p-1: membership.roletype'),
        }),
      );
  });
});
