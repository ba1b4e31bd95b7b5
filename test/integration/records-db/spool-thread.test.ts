import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, repository } from '../../helpers/built-cli.js';
import { childJson } from '../../helpers/child-json.js';
import { scratchDir } from '../../helpers/scratch-dir.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/** What support/spool-thread-child.mjs prints. */
interface ChildResult {
  readonly inWorker: { readonly threads: number; readonly memberships: number };
  readonly alone: { readonly threads: number };
  readonly failed?: { readonly name: string; readonly message: string };
}

function spoolInChild(url: string, dir: string): Promise<ChildResult> {
  return childJson<ChildResult>(
    'child',
    [join(repository, 'test', 'integration', 'records-db', 'support', 'spool-thread-child.mjs')],
    { ...process.env, PIFU_SPOOL_THREAD: JSON.stringify({ url, dir }) },
  );
}

describe('a snapshot spooled on two threads (built code)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase({ seeded: 'small' });
  }, 180_000);
  afterAll(() => database.destroy());

  it('writes the same spool as one thread, and a failing worker fails the spool with its error', async () => {
    const dir = scratchDir('pifu-spool-thread-');
    const { inWorker, alone, failed } = await spoolInChild(database.url, dir);

    expect({ worker: inWorker.threads, alone: alone.threads }).toEqual({ worker: 2, alone: 1 });
    expect(inWorker.memberships).toBeGreaterThan(10_000);
    // Byte for byte, the counts (per school too) and properties in the manifest included.
    for (const file of ['persons.frames', 'groups.frames', 'memberships.frames', 'manifest.json'])
      expect(readFileSync(join(dir, 'two', file)).equals(readFileSync(join(dir, 'one', file)))).toBe(true);
    expect({ ...inWorker, threads: 1 }).toEqual(alone);

    // The worker's HubError comes back as one, and no spool is left complete.
    expect(failed).toEqual({
      name: 'HubError',
      message: expect.stringMatching(
        /^PIFU_SOURCE_UNAVAILABLE: reading groups from the records store failed/,
      ),
    });
    expect(existsSync(join(dir, 'broken', 'manifest.json'))).toBe(false);
  });
});
