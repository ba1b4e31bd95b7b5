import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyRow } from '../../../src/db/index.js';
import { fileReadBytes, readLineBatches } from '../../../src/files/index.js';
import {
  disclosureManifestFiles,
  readDisclosureManifest,
  type DisclosureLine,
} from '../../../src/disclosure/index.js';
import { writeManifests } from '../../helpers/pending-transfer.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

async function allLines(path: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of readLineBatches(path)) lines.push(...batch);
  return lines;
}

describe('readLineBatches, the reader of the acknowledgement manifests', () => {
  const dir = scratchDir('line-batches-');

  it('yields every line once, across read boundaries, leaving out empty lines', async () => {
    const path = join(dir, 'many.ndjson');
    // Lines of varying length, ~3 MB: several 1 MB reads, lines split across them.
    const lines = Array.from({ length: 60_000 }, (_, i) => `line-${i}-${'x'.repeat(i % 97)}`);
    writeFileSync(path, `${lines.join('\n')}\n\n`);
    expect(await allLines(path)).toEqual(lines);
  });

  it('holds one read of fileReadBytes (256 KiB) a batch, not a megabyte', async () => {
    const path = join(dir, 'bounded.ndjson');
    const lines = Array.from({ length: 40_000 }, (_, i) => `line-${i}-${'x'.repeat(40)}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    let batches = 0;
    for await (const batch of readLineBatches(path)) {
      batches++;
      // One read, and the line the read before it cut (at most 51 characters here).
      expect(batch.join('\n').length).toBeLessThanOrEqual(fileReadBytes + 60);
    }
    expect(fileReadBytes).toBe(1 << 18);
    expect(batches).toBeGreaterThanOrEqual(Math.floor((lines.join('\n').length + 1) / fileReadBytes));
  });

  it('keeps a last line without a newline, and reads an empty file as nothing', async () => {
    const path = join(dir, 'last.ndjson');
    writeFileSync(path, 'a\nb');
    expect(await allLines(path)).toEqual(['a', 'b']);
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    expect(await allLines(empty)).toEqual([]);
  });

  it('reads back the disclosure lines it is given, whatever the key holds, in either form', async () => {
    const written: DisclosureLine[] = [
      { kind: 'person', personKey: 'p-1', categories: ['name', 'email'] },
      { kind: 'person', personKey: 'p-"2"\t\\', categories: [], unchanged: true },
      { kind: 'person', personKey: 'p-3', categories: ['we"ird\\', 'NULL', ''] },
      { kind: 'member', personKey: 'p-1' },
      { kind: 'member', personKey: 'p-"2"\\' },
      { kind: 'member', personKey: 'p-æøå\u2028\n' },
    ];
    for (const form of ['copy', 'ndjson'] as const) {
      const feedPath = join(dir, `feed-${form}.xml`);
      await writeManifests(feedPath, { state: '', disclosures: written }, form);
      const read: DisclosureLine[] = [];
      for await (const line of readDisclosureManifest(feedPath)) read.push(line);
      expect(read).toEqual(written);
    }
  });

  it('writes each person as copyRow does, the category lists it keeps formatted included', async () => {
    // A few lists, each one many times (the writer keeps their fields), some only apart by an element
    // cut elsewhere or by one element fewer.
    const lists: string[][] = [
      [],
      ['name'],
      ['name', 'email'],
      ['name,email'],
      ['we"ird\\', 'NULL', ''],
      [''],
    ];
    const line = fc.record(
      {
        personKey: fc.string({ unit: 'binary' }),
        categories: fc.constantFrom(...lists),
        unchanged: fc.constant(true),
      },
      { requiredKeys: ['personKey', 'categories'] },
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 40 }), async (persons) => {
        const feedPath = join(dir, `rows-${run++}.xml`);
        const lines = persons.map((person): DisclosureLine => ({ kind: 'person', ...person }));
        await writeManifests(feedPath, { state: '', disclosures: lines });
        const rows = persons.map((p) => copyRow([p.personKey, p.categories, p.unchanged === true]));
        expect(readFileSync(disclosureManifestFiles(feedPath).persons, 'utf8')).toBe(rows.join(''));
      }),
    );
  });

  it('writes a member once where its memberships follow each other, and again after another', async () => {
    const feedPath = join(dir, 'members.xml');
    const member = (personKey: string): DisclosureLine => ({ kind: 'member', personKey });
    await writeManifests(feedPath, {
      state: '',
      disclosures: [member('a'), member('a'), member('b'), member('a'), member('a')],
    });
    expect(readFileSync(disclosureManifestFiles(feedPath).members, 'utf8')).toBe('a\nb\na\n');
  });
});
