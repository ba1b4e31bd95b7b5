import { performance } from 'node:perf_hooks';
import type { Group, Membership, Person } from '../src/model/index.js';
import type { FeedEntry, FeedInput } from '../src/pifu/index.js';
import { renderFeed, toFeedPerson } from '../src/pifu/index.js';
import { buildReferenceFeed } from '../src/pifu/reference-feed.js';

export interface WriterBenchOptions {
  /** Persons in the feed; each gets one membership, 25 to a group. */
  readonly persons: number;
}

export interface WriterBenchResult {
  readonly sizeBytes: number;
  readonly fastMbPerS: number;
  readonly xmlbuilder2MbPerS: number;
}

const schoolKey = 'g-school';

function person(index: number): Person {
  const key = `p-${String(index).padStart(7, '0')}`;
  return {
    key,
    populations: ['pupil'],
    name: { given: 'Åse', middle: 'Marie', family: `Ødegård-${index}` },
    birthDate: '2012-03-04',
    gender: index % 2 === 0 ? 'female' : 'male',
    status: 'active',
    addressProtection: 'none',
    identifiers: [{ type: 'feideId', value: `${key}@mane.no` }],
    emails: [{ kind: 'org', address: `${key}@skole.mane.no`, priority: 1 }],
    phones: [{ kind: 'mobilePrivate', number: '+4799900099', priority: 1 }],
    addresses: [
      { kind: 'registered', street: ['Månegata 1'], postalCode: '7271', locality: 'Måneby', country: 'NO' },
    ],
    preferredLanguage: 'nb',
    guardians: [{ guardianKey: `g${key}`, hasParentalResponsibility: true, parentAccessConsent: false }],
    affiliations: [],
  };
}

function group(index: number): Group {
  return {
    key: `g-${String(index).padStart(6, '0')}`,
    type: 'basisgruppe',
    parentKey: schoolKey,
    schoolKey,
    shortName: `${index}A & B`,
    timeframe: { begin: '2024-08-15', end: '2025-06-20' },
    identifiers: [],
    schoolTypes: [],
  };
}

async function* entries<T>(count: number, make: (index: number) => T): AsyncGenerator<FeedEntry<T>> {
  for (let i = 0; i < count; i++) yield { object: make(i) };
}

function input(persons: number): FeedInput {
  const groups = Math.ceil(persons / 25);
  return {
    properties: { source: 'sas@mane.kommune.no', snapshotAt: '2024-08-15T02:00:00Z' },
    feedType: 'full',
    orgUnits: new Map([[schoolKey, 'Måneflekken skole']]),
    persons: entries(persons, (index) => toFeedPerson(person(index))),
    groups: entries(groups, group),
    memberships: entries<Membership>(persons, (i) => ({
      groupKey: group(Math.floor(i / 25)).key,
      personKey: person(i).key,
      role: 'pupil',
      isActive: true,
      isPrimary: true,
    })),
  };
}

const megabytesPerSecond = (bytes: number, ms: number): number =>
  Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;

/**
 * Throughput of the hand-written writer against xmlbuilder2 building the same feed, in MB of UTF-8 per
 * second. Both run over the same lazily generated roster; the xmlbuilder2 side holds its whole tree.
 */
export async function benchWriter(options: WriterBenchOptions): Promise<WriterBenchResult> {
  let sizeBytes = 0;
  const fastStart = performance.now();
  for await (const fragment of renderFeed(input(options.persons))) sizeBytes += Buffer.byteLength(fragment);
  const fastMs = performance.now() - fastStart;

  const referenceStart = performance.now();
  const reference = await buildReferenceFeed(input(options.persons));
  const referenceBytes = Buffer.byteLength(reference);
  const referenceMs = performance.now() - referenceStart;

  return {
    sizeBytes,
    fastMbPerS: megabytesPerSecond(sizeBytes, fastMs),
    xmlbuilder2MbPerS: megabytesPerSecond(referenceBytes, referenceMs),
  };
}
