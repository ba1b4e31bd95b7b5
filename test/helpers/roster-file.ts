import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Roster } from '../../src/model/index.js';
import { renderFeed, toFeedPerson } from '../../src/pifu/index.js';

async function* entries<T>(objects: AsyncIterable<T>): AsyncGenerator<{ object: T }> {
  for await (const object of objects) yield { object };
}

/** Writes everything of a (re-readable) roster PIFU can carry as one full feed, as a school system would export it. */
export async function writeRosterFile(roster: Roster, path: string): Promise<void> {
  const orgUnits = new Map<string, string>();
  for await (const group of roster.groups()) {
    if (group.type === 'skole' || group.type === 'skoleeier') orgUnits.set(group.key, group.shortName);
  }
  async function* persons() {
    for await (const person of roster.persons()) yield { object: toFeedPerson(person) };
  }
  const feed = renderFeed({
    properties: roster.properties,
    feedType: 'full',
    orgUnits,
    persons: persons(),
    groups: entries(roster.groups()),
    memberships: entries(roster.memberships()),
  });
  await pipeline(Readable.from(feed), createWriteStream(path, { mode: 0o600 }));
}
