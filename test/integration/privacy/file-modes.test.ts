import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../../src/db/index.js';
import { startExport, writePreviewFeeds } from '../../../src/operations/index.js';
import { startRun, takeSnapshot } from '../../../src/run/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import { actors, operationsOver, seededDatabase } from '../operations/operations-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/** Every file and directory under `root` (itself excluded) with its permission bits. */
function modesUnder(root: string): { path: string; kind: 'file' | 'dir'; mode: number }[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) => {
    const path = join(root, entry.name);
    const mode = statSync(path).mode & 0o777;
    return entry.isDirectory()
      ? [{ path, kind: 'dir' as const, mode }, ...modesUnder(path)]
      : [{ path, kind: 'file' as const, mode }];
  });
}

function expectPrivate(root: string): void {
  const entries = modesUnder(root);
  expect(entries.length).toBeGreaterThan(0);
  const loose = entries.filter((entry) => entry.mode !== (entry.kind === 'dir' ? 0o700 : 0o600));
  expect(loose.map((entry) => `${entry.path} ${entry.mode.toString(8)}`)).toEqual([]);
}

/**
 * Files the hub writes hold personal data, so each is 0600 in a 0700 directory, whatever the umask
 * lets through: the spool (roster snapshot, feeds, manifests), file drops, previews and the embedded
 * database's directory.
 */
describe('files the hub writes are 0600 in 0700 directories', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let umask: number;

  beforeAll(async () => {
    umask = process.umask(0o022); // the usual umask: 0644 files, 0755 directories unless asked otherwise
    database = await seededDatabase();
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms')),
      recipient('research', 'analytics', join(dir, 'research'), { profile: { pseudonymise: true } }),
    ]);
  });
  afterAll(async () => {
    process.umask(umask);
    await database.destroy();
  });

  it('the run spool: roster snapshot, feed files and their manifests', async () => {
    const runId = await startRun(ops, { recipientIds: ['lms'], trigger: 'operator', feedType: 'full' });
    await takeSnapshot(ops, runId);
    expect(readdirSync(join(ops.spoolDir, 'runs', runId, 'roster')).sort()).toEqual([
      'groups.frames',
      'manifest.json',
      'memberships.frames',
      'persons.frames',
    ]);
    await startExport(ops, actors.operator, { all: true });
    expectPrivate(ops.spoolDir);
    const names = modesUnder(ops.spoolDir).map((entry) => entry.path);
    for (const manifest of ['disclosed.copy', 'members.copy', 'state.copy'])
      expect(names.some((path) => path.endsWith(`lms.xml.${manifest}`))).toBe(true);
    expect(names.some((path) => path.endsWith('research.xml'))).toBe(true);
  });

  it('file drops, with their checksum files', async () => {
    expectPrivate(ops.dropDir);
    expect(modesUnder(ops.dropDir).some((entry) => entry.path.endsWith('.xml.sha256'))).toBe(true);
  });

  it('previews written with export --out', async () => {
    const outDir = join(scratchDir('pifu-preview-'), 'previews');
    await writePreviewFeeds(ops, actors.operator, { all: true, outDir });
    expect(statSync(outDir).mode & 0o777).toBe(0o700);
    expectPrivate(outDir);
  });

  it("the embedded database's directory", async () => {
    const dataDir = join(scratchDir('pifu-data-'), '.pifu-hub', 'pglite');
    const open = await openDatabase({ kind: 'pglite', dataDir });
    await open.close();
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, '..')).mode & 0o777).toBe(0o700);
  });
});
