import { randomUUID } from 'node:crypto';
import { PersonKeys } from '../../../connectors/sources/pifu-file/person-keys.js';

describe('PersonKeys', () => {
  it('holds each key once, with the inactive flag of its first adding', () => {
    const keys = new PersonKeys();
    const [a, b] = [randomUUID(), randomUUID()];
    expect(keys.add(a, true)).toBe(true);
    expect(keys.add(a, false)).toBe(false);
    expect(keys.add(b, false)).toBe(true);
    expect(keys.size).toBe(2);
    expect([keys.isInactive(a), keys.isInactive(b)]).toEqual([true, false]);
    expect(keys.has(randomUUID())).toBe(false);
  });

  it('marks a guardian only among its persons, and keeps the inactive flag beside it', () => {
    const keys = new PersonKeys();
    const [a, outsider] = [randomUUID(), randomUUID()];
    keys.add(a, true);
    keys.markGuardian(a);
    keys.markGuardian(outsider);
    keys.markGuardian('not-a-uuid');
    expect([keys.isGuardian(a), keys.isInactive(a)]).toEqual([true, true]);
    expect([keys.isGuardian(outsider), keys.has(outsider), keys.size]).toEqual([false, false, 1]);
  });

  it('finds no person under a key that is no uuid, and refuses to add one', () => {
    const keys = new PersonKeys();
    expect(keys.has('grp-1')).toBe(false);
    expect(() => keys.add('1001', false)).toThrow(/PIFU_INTERNAL|not a uuid/);
  });
});
