import { readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import { defaultInputLimits } from '../../../src/pifu/index.js';
import { lenientModes } from '../../../src/ports/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const namespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-1.2';
const uuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** Files this process holds open (Linux). */
const openFiles = (): string[] =>
  readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.startsWith('/'));

/**
 * Issue 13: a read that fails half-way (here a file cut off among its persons, after more than one
 * scratch batch was written) leaves no file open and no scratch file behind: the file read and the
 * scratch writers are closed when the read fails, not left to the collector (before, both stayed open).
 */
describe('import: a read that fails leaves no scratch file open', () => {
  let database: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    dir = scratchDir('pifu-read-failure-');
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database.destroy();
  });

  it('closes the file it read and its persons scratch file when the file turns out malformed', async () => {
    const persons = Array.from(
      { length: 2_000 },
      (_, i) =>
        `<person><sourcedid><source>s</source><id>${uuid(i)}</id></sourcedid><name><fn>Navn ${i}</fn><n><family>Hansen</family><given>Navn</given></n></name></person>\n`,
    ).join('');
    const file = join(dir, 'cut.xml');
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>\n<enterprise xmlns="${namespace}">\n` +
        '<properties><datasource>s</datasource><type>full</type><datetime>2024-09-01T02:00:00</datetime></properties>\n' +
        `${persons}<person><sourcedid><source>s</source><id>x</id></sourcedid><name><fn>Navn</fn></name>\n</enterprise>\n`,
    );
    const reader = createPifuFileReader({
      db: database.db,
      limits: defaultInputLimits,
      sourceName: 'pifu-hub',
    });
    const scratchDir = join(dir, 'spool');
    const before = openFiles();
    await expect(reader.read(file, { lenient: [...lenientModes], scratchDir })).rejects.toThrow(/PIFU_/);
    expect(openFiles()).toEqual(before);
    expect(readdirSync(scratchDir)).toEqual([]);
  }, 60_000);
});
