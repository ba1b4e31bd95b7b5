import { rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isSelectiveRoster } from '../../../src/model/index.js';
import { openRosterSpool, writeRosterSpool } from '../../../src/spool/index.js';
import { profileArbitrary, rosterArrays, rosterOf } from './profile-arbitraries.js';
import { viewContents } from './view-contents.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

describe('a view of the run spool', () => {
  const dir = scratchDir('pifu-spooled-view-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the view of the roster it holds, though it decodes only what the profile needs', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(rosterArrays(), profileArbitrary(), async (arrays, { profile }) => {
        const spoolDir = join(dir, `roster-${run++}`);
        await writeRosterSpool(rosterOf(arrays), spoolDir);
        const spooled = await openRosterSpool(spoolDir);
        expect(isSelectiveRoster(spooled)).toBe(true);
        expect(await viewContents(spooled, profile)).toEqual(await viewContents(rosterOf(arrays), profile));
        // Read twice, the same again.
        expect(await viewContents(spooled, profile)).toEqual(await viewContents(rosterOf(arrays), profile));
      }),
    );
  });
});
