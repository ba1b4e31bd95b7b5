import { readLineBatches } from '../files/index.js';

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
  for await (const batch of readDisclosureBatches(path)) yield* batch;
}

/** The manifest's lines a batch at a time (see readLineBatches): what the acknowledgement reads. */
export async function* readDisclosureBatches(path: string): AsyncGenerator<DisclosureLine[]> {
  for await (const lines of readLineBatches(path)) yield lines.map(parseDisclosureLine);
}

function parseDisclosureLine(text: string): DisclosureLine {
  // Most lines of a big feed are member lines: a key JSON.stringify left unescaped is the text itself.
  if (text.startsWith('["m","') && text.endsWith('"]') && !text.includes('\\')) {
    return { kind: 'member', personKey: text.slice(6, -2) };
  }
  // A fourth element 0 on a person: unchanged (a manifest written before it was kept has none).
  const parsed = JSON.parse(text) as ['p', string, string[], 0?] | ['m', string];
  return parsed[0] === 'p'
    ? {
        kind: 'person',
        personKey: parsed[1],
        categories: parsed[2],
        ...(parsed[3] === 0 ? { unchanged: true } : {}),
      }
    : { kind: 'member', personKey: parsed[1] };
}
