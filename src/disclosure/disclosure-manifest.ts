import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The persons a written feed discloses, kept beside the feed file until the transfer is acknowledged;
 * the acknowledgement transaction turns it into disclosure rows. A sidecar file keeps personal data out
 * of Redis and memory flat at any size.
 *
 * Two kinds of line, persons first (the feed's own order): a person with the categories of their
 * record, and whether that record's content hash is the one the recipient already held, then the keys of
 * persons whose group memberships the feed carries. Memberships are ordered by group, not person, so the
 * database does that join (see recordDisclosures), not a Set in memory.
 */
export type DisclosureLine =
  | {
      readonly kind: 'person';
      readonly personKey: string;
      readonly categories: readonly string[];
      /** The recipient held this very record already (a full re-sending it); absent: new or changed. */
      readonly unchanged?: boolean;
    }
  | { readonly kind: 'member'; readonly personKey: string };

export function disclosureManifestPath(feedPath: string): string {
  return `${feedPath}.disclosures.ndjson`;
}

export function formatDisclosureLine(line: DisclosureLine): string {
  return line.kind === 'person'
    ? `${JSON.stringify(['p', line.personKey, line.categories, ...(line.unchanged === true ? [0] : [])])}\n`
    : `${JSON.stringify(['m', line.personKey])}\n`;
}

export async function* readDisclosureManifest(path: string): AsyncGenerator<DisclosureLine> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text === '') continue;
    // A fourth element 0 on a person: unchanged (a manifest written before it was kept has none).
    const parsed = JSON.parse(text) as ['p', string, string[], 0?] | ['m', string];
    yield parsed[0] === 'p'
      ? {
          kind: 'person',
          personKey: parsed[1],
          categories: parsed[2],
          ...(parsed[3] === 0 ? { unchanged: true } : {}),
        }
      : { kind: 'member', personKey: parsed[1] };
  }
}
