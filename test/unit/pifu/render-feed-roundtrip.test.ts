import fc from 'fast-check';
import type { Group, Person } from '../../../src/model/index.js';
import { toFeedPerson, type FeedEntry, type FeedPerson } from '../../../src/pifu/index.js';
import { readAll, renderToString, validateAllAgainstXsd } from './feed-fixture.js';
import { inputOf, rosterArbitrary, type RosterSample } from './roster-arbitraries.js';

/** XML 1.0 cannot carry C0 controls, U+FFFE/U+FFFF or lone surrogates: the writer puts U+FFFD there. */
const xmlSafe = (value: string): string =>
  // eslint-disable-next-line no-control-regex -- matching the characters XML 1.0 forbids is the point
  value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu, '\uFFFD');

/** The XSD caps descriptions and labels (60/256); the writer cuts them at a grapheme boundary. */
function cut(value: string, maxChars: number): string {
  let kept = '';
  for (const { segment } of new Intl.Segmenter('nb', { granularity: 'grapheme' }).segment(value)) {
    if ([...kept].length + [...segment].length > maxChars) break;
    kept += segment;
  }
  return kept;
}

function expectedPerson(person: Person): FeedPerson {
  const { name, ...rest } = toFeedPerson(person);
  const middle = name.middle === undefined || name.middle === '' ? '' : ` ${name.middle}`;
  return {
    ...rest,
    name: { given: xmlSafe(name.given + middle), family: xmlSafe(name.family) },
    identifiers: rest.identifiers.map((identifier) => ({ ...identifier, value: xmlSafe(identifier.value) })),
    addresses: rest.addresses.map((address) => ({
      ...address,
      street: address.street.map(xmlSafe),
      ...(address.locality === undefined ? {} : { locality: xmlSafe(address.locality) }),
    })),
  };
}

function expectedGroup(group: Group): Group {
  return {
    ...group,
    shortName: xmlSafe(cut(group.shortName, 60)),
    ...(group.longName === undefined ? {} : { longName: xmlSafe(cut(group.longName, 256)) }),
    identifiers: group.identifiers
      .filter((identifier) => identifier.type !== 'nsrId')
      .map((identifier) => ({ ...identifier, value: xmlSafe(identifier.value) })),
  };
}

function withChange<T, U>(entry: FeedEntry<T>, map: (object: T) => U): FeedEntry<U> {
  return entry.change === undefined
    ? { object: map(entry.object) }
    : { object: map(entry.object), change: entry.change };
}

async function checkRoundTrip(sample: RosterSample, rendered: string[]): Promise<void> {
  const xml = await renderToString(inputOf(sample));
  rendered.push(xml);
  const feed = await readAll(xml);
  expect(feed.properties.type).toBe(sample.feedType);
  expect(feed.persons).toEqual(sample.persons.map((entry) => withChange(entry, expectedPerson)));
  expect(feed.groups).toEqual(sample.groups.map((entry) => withChange(entry, expectedGroup)));
  expect(feed.memberships).toEqual(sample.memberships);
  const recstatusCount = xml.match(/ recstatus="[123]"/g)?.length ?? 0;
  const objectCount = sample.persons.length + sample.groups.length + sample.memberships.length;
  expect(recstatusCount).toBe(sample.feedType === 'delta' ? objectCount : 0);
}

describe('a rendered feed, for any roster including hostile strings', () => {
  it.each(['full', 'delta'] as const)(
    'reads back to the same %s-feed objects, recstatus included, and validates against the XSD',
    async (feedType) => {
      const rendered: string[] = [];
      await fc.assert(
        fc.asyncProperty(rosterArbitrary(feedType), (sample) => checkRoundTrip(sample, rendered)),
      );
      expect(await validateAllAgainstXsd(rendered)).toEqual([]);
    },
  );
});
