import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isSelectiveRoster, type Roster } from '../../../src/model/index.js';
import { viewThroughProfile } from '../../../src/profiles/index.js';
import { openRosterSpool, writeRosterSpool } from '../../../src/spool/index.js';
import { profileArbitrary, rosterArrays, rosterOf } from './profile-arbitraries.js';

const pseudonymKey = new TextEncoder().encode('a test secret of at least thirty-two bytes');

async function everything(roster: Roster, profile: Parameters<typeof viewThroughProfile>[1]) {
  const view = await viewThroughProfile(roster, profile, { pseudonymKey });
  const collect = async <T>(items: AsyncIterable<T>) => {
    const all: T[] = [];
    for await (const item of items) all.push(item);
    return all;
  };
  return {
    orgUnits: [...view.orgUnits],
    unmatched: view.unmatchedSchools,
    persons: await collect(view.persons()),
    groups: await collect(view.groups()),
    memberships: await collect(view.memberships()),
    // Digested from the encoded record or from the decoded one, the same input hashes.
    inputHashes: await collect(view.personsReusing(async () => undefined)),
  };
}

describe('a view of the run spool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pifu-spooled-view-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the view of the roster it holds, though it decodes only what the profile needs', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(rosterArrays(), profileArbitrary(), async (arrays, { profile }) => {
        const spoolDir = join(dir, `roster-${run++}`);
        await writeRosterSpool(rosterOf(arrays), spoolDir);
        const spooled = await openRosterSpool(spoolDir);
        expect(isSelectiveRoster(spooled)).toBe(true);
        expect(await everything(spooled, profile)).toEqual(await everything(rosterOf(arrays), profile));
        // Read twice, the same again.
        expect(await everything(spooled, profile)).toEqual(await everything(rosterOf(arrays), profile));
      }),
    );
  });
});
