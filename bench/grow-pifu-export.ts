import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

type Section = 'header' | 'person' | 'group' | 'membership';

/** The section a line of the hub writer's output opens, if it opens one (one object per line). */
function opens(line: string): Section | undefined {
  if (line.startsWith('<person')) return 'person';
  if (line.startsWith('<group')) return 'group';
  if (line.startsWith('<membership')) return 'membership';
  return undefined;
}

/**
 * Grows a PIFU export the hub's writer wrote (`from`) to about `targetBytes` at `to`, as that many copies
 * of its municipality side by side: every `<id>` of copy k > 0 gets `~k` appended, so each copy's
 * persons, groups and memberships are objects of their own and every reference stays inside its copy.
 * Persons first, then groups, then memberships (spec 2.1), each section copy after copy. Generating a
 * municipality large enough for a 1 GB file through the records store would take longer than reading
 * it; the small export's sections are held in memory (a few MB) and written out again.
 */
export async function growPifuExport(from: string, to: string, targetBytes: number): Promise<number> {
  const sections: Record<Section, string[]> = { header: [], person: [], group: [], membership: [] };
  let current: Section = 'header';
  const lines = createInterface({ input: createReadStream(from, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.startsWith('</enterprise>')) break;
    current = opens(line) ?? current;
    sections[current].push(line);
  }
  const copies = Math.max(1, Math.ceil(targetBytes / (await stat(from)).size));
  const out = createWriteStream(to, { mode: 0o600 });
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const line of sections.header) await write(`${line}\n`);
  for (const section of ['person', 'group', 'membership'] as const) {
    for (let copy = 0; copy < copies; copy++) {
      const suffix = copy === 0 ? '' : `~${copy}`;
      for (const line of sections[section]) {
        await write(`${suffix === '' ? line : line.replaceAll('</id>', `${suffix}</id>`)}\n`);
      }
    }
  }
  out.end('</enterprise>\n');
  await once(out, 'close');
  return copies;
}
