import { rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { SelectiveRoster } from '../../../src/model/index.js';
import {
  personScopeOf,
  SharedPersonScopes,
  viewThroughProfile,
  type PersonScopePass,
  type Profile,
} from '../../../src/profiles/index.js';
import { PackedKeyMap } from '../../../src/profiles/packed-key-map.js';
import { personScopeSettings } from '../../../src/profiles/shared-person-scopes.js';
import { openRosterSpool, writeRosterSpool } from '../../../src/spool/index.js';
import { profileArbitrary, rosterArrays, rosterOf } from './profile-arbitraries.js';
import { pseudonymKey, viewContents } from './view-contents.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `other`'s profile with `from`'s person scope settings (what personScopeOf keys on): what it sends
 * differs, whom it sees must not. A setting the pass depends on but the key leaves out differs here.
 */
function withPersonScopeOf(other: Profile, from: Profile): Profile {
  const mixed: Record<string, unknown> = { ...other };
  for (const setting of personScopeSettings) {
    if (from[setting] === undefined) delete mixed[setting];
    else mixed[setting] = from[setting];
  }
  return mixed as unknown as Profile;
}

/**
 * Recipients of a run whose profiles see the same persons in the same roles share one pass over the
 * persons (issue 14): the second view takes the first's pass and reads no person's scope facts, and is
 * exactly the view it would have built alone.
 */
describe('a view taking another view’s pass over the persons', () => {
  const dir = scratchDir('pifu-shared-person-pass-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the view it builds alone, without reading the persons’ scope facts', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        rosterArrays(),
        profileArbitrary(),
        profileArbitrary(),
        async (arrays, { profile: first }, { profile: other }) => {
          const spoolDir = join(dir, `roster-${run++}`);
          await writeRosterSpool(rosterOf(arrays), spoolDir);
          const spooled = await openRosterSpool(spoolDir);
          const second = withPersonScopeOf(other, first);
          expect(personScopeOf(second)).toBe(personScopeOf(first));
          const forgotten = new Set(arrays.persons.slice(0, 1).map((person) => person.key));

          let pass: PersonScopePass | undefined;
          await viewThroughProfile(spooled, first, {
            pseudonymKey,
            forgotten,
            onPersonPass: (settled) => (pass = settled),
          });
          if (pass === undefined) throw new Error('the first view settled no pass over the persons');
          // The hub's keys (uuids) settle a packed pass, which is what a view then holds.
          if (arrays.persons.every((person) => uuidShape.test(person.key))) {
            expect([pass.persons, pass.links].map((map) => map instanceof PackedKeyMap)).toEqual([
              true,
              true,
            ]);
          }
          // The second view never reads a person's scope facts: it takes the pass.
          const factless: SelectiveRoster = {
            ...spooled,
            personFacts: () => {
              throw new Error('read the persons’ scope facts again');
            },
          };
          expect(await viewContents(factless, second, { forgotten, personPass: pass })).toEqual(
            await viewContents(spooled, second, { forgotten }),
          );
        },
      ),
    );
  });
});

describe('the person passes kept for a run', () => {
  const pass: PersonScopePass = { persons: new Map([['p-1', 1]]), links: new Map() };
  const key = SharedPersonScopes.keyOf('scope-a', '2026-11-23', new Set());

  it('are found under the same scope, day and excluded persons only', () => {
    const shared = new SharedPersonScopes();
    shared.keep('run-1', key, 'scope-a', pass);
    expect(shared.find('run-1', key)).toBe(pass);
    expect(shared.find('run-2', key)).toBeUndefined();
    expect(
      shared.find('run-1', SharedPersonScopes.keyOf('scope-a', '2026-11-24', new Set())),
    ).toBeUndefined();
    expect(
      shared.find('run-1', SharedPersonScopes.keyOf('scope-a', '2026-11-23', new Set(['p-9']))),
    ).toBeUndefined();
    expect(
      shared.find('run-1', SharedPersonScopes.keyOf('scope-b', '2026-11-23', new Set())),
    ).toBeUndefined();
  });

  it('are kept only within a bound of persons and links between them', () => {
    const shared = new SharedPersonScopes();
    const big: PersonScopePass = {
      persons: new Map([
        ['p-1', 1],
        ['p-2', 4],
      ]),
      links: new Map([['p-1', 'p-2']]),
    };
    const keyB = SharedPersonScopes.keyOf('scope-b', '2026-11-23', new Set());
    expect(shared.keep('run-1', key, 'scope-a', pass, 4)).toBe(true);
    // 1 kept + 3 would be 4: within the bound; then nothing more fits.
    expect(shared.keep('run-1', keyB, 'scope-b', big, 4)).toBe(true);
    expect(
      shared.keep('run-1', SharedPersonScopes.keyOf('scope-c', '2026-11-23', new Set()), 'scope-c', pass, 4),
    ).toBe(false);
    expect(shared.size).toBe(2);
    shared.prune('run-1', new Set(['scope-b']));
    expect(shared.keep('run-1', key, 'scope-a', pass, 3)).toBe(false);
    expect(shared.find('run-1', key)).toBeUndefined();
  });

  it('are dropped once no recipient still to be written would take them, and with another run', () => {
    const shared = new SharedPersonScopes();
    shared.keep('run-1', key, 'scope-a', pass);
    shared.prune('run-1', new Set(['scope-a']));
    expect(shared.find('run-1', key)).toBe(pass);
    shared.prune('run-1', new Set(['scope-b']));
    expect(shared.size).toBe(0);
    shared.keep('run-1', key, 'scope-a', pass);
    shared.keep('run-2', key, 'scope-a', { persons: new Map(), links: new Map() });
    expect(shared.find('run-1', key)).toBeUndefined();
    expect(shared.size).toBe(1);
    shared.prune('run-3', new Set(['scope-a']));
    expect(shared.size).toBe(0);
  });
});
