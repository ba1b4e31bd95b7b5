import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { createRecordsDbSource, type SourceDatabase } from '../../../connectors/sources/records-db/index.js';
import { writeRosterSpool } from '../../../src/spool/index.js';
import { seededDatabase } from '../../helpers/hub-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * The persons read, mapped and encoded in a thread of their own (src/spool/person-thread.ts) against
 * the writer's own thread, on the real records store: the same spool, byte for byte. The worker runs
 * the TypeScript sources through the fault tests' loader (the hub itself runs the compiled one).
 */
describe('the person thread of a records-db snapshot', () => {
  const database = seededDatabase('mini');

  it('writes the spool the writer writes in its own thread', async () => {
    const source = createRecordsDbSource(
      database.db as Kysely<SourceDatabase>,
      { source: 'pifu-hub' },
      {
        pool: database.pool,
      },
    );
    const dir = scratchDir('pifu-person-thread-');
    const snapshot = await source.openSnapshot();
    try {
      expect(snapshot.personsThread).toBeDefined();
      const personThread = {
        file: new URL('../../../src/spool/person-thread-worker.ts', import.meta.url),
        execArgv: ['--import', new URL('../faults/support/register-ts.mjs', import.meta.url).href],
      };
      const threadCounts = await writeRosterSpool(snapshot, join(dir, 'thread'), { personThread });
      const { personsThread: _thread, ...inThisThread } = snapshot;
      const ownCounts = await writeRosterSpool(inThisThread, join(dir, 'own'));
      expect(threadCounts.persons).toBeGreaterThan(0);
      expect(JSON.stringify(threadCounts)).toBe(JSON.stringify(ownCounts));
      for (const file of ['persons.frames', 'groups.frames', 'memberships.frames'])
        expect(
          (await readFile(join(dir, 'thread', file))).equals(await readFile(join(dir, 'own', file))),
        ).toBe(true);
    } finally {
      await snapshot.close();
    }
  }, 120_000);
});
