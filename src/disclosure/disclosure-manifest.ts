import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The persons a written feed discloses, kept beside the feed file until the transfer is acknowledged;
 * the acknowledgement transaction turns it into disclosure rows. A sidecar file keeps personal data out
 * of Redis and memory flat at any size.
 *
 * Two kinds of line, persons first (the feed's own order): a person with the categories of their
 * record, then the keys of persons whose group memberships the feed carries. Memberships are ordered
 * by group, not person, so the database does that join (see insertDisclosures), not a Set in memory.
 */
export type DisclosureLine =
  | { readonly kind: 'person'; readonly personKey: string; readonly categories: readonly string[] }
  | { readonly kind: 'member'; readonly personKey: string };

export function disclosureManifestPath(feedPath: string): string {
  return `${feedPath}.disclosures.ndjson`;
}

export function formatDisclosureLine(line: DisclosureLine): string {
  return line.kind === 'person'
    ? `${JSON.stringify(['p', line.personKey, line.categories])}\n`
    : `${JSON.stringify(['m', line.personKey])}\n`;
}

export async function* readDisclosureManifest(path: string): AsyncGenerator<DisclosureLine> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text === '') continue;
    const parsed = JSON.parse(text) as ['p', string, string[]] | ['m', string];
    yield parsed[0] === 'p'
      ? { kind: 'person', personKey: parsed[1], categories: parsed[2] }
      : { kind: 'member', personKey: parsed[1] };
  }
}
