import type { Group, Membership, Person } from '../../../src/model/index.js';
import { toFeedPerson, type FeedEntry, type FeedInput } from '../../../src/pifu/index.js';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';
import { readFeed, renderFeed } from '../../../src/pifu/index.js';
import type { FeedPerson } from '../../../src/pifu/index.js';

export const source = 'sas@måne.kommune.no';

export async function* entriesOf<T>(items: Iterable<FeedEntry<T>>): AsyncGenerator<FeedEntry<T>> {
  yield* items;
}

export function samplePerson(overrides: Partial<Person> = {}): Person {
  return {
    key: 'p-0001',
    populations: ['pupil'],
    name: { given: 'Åse', middle: 'Marie', family: 'Ødegård' },
    birthDate: '2012-03-04',
    gender: 'female',
    status: 'active',
    addressProtection: 'none',
    identifiers: [
      { type: 'feideId', value: 'ase@mane.no' },
      { type: 'studentId', value: '12345' },
    ],
    emails: [
      { kind: 'org', address: 'ase@skole.mane.no', priority: 1 },
      { kind: 'private', address: 'ase@example.org', priority: 1 },
    ],
    phones: [
      { kind: 'mobilePrivate', number: '+4799900099', priority: 1 },
      { kind: 'org', number: '+4773000073', priority: 2 },
    ],
    addresses: [
      { kind: 'registered', street: ['Månegata 1'], postalCode: '7271', locality: 'Måneby', country: 'NO' },
    ],
    preferredLanguage: 'nb',
    guardians: [{ guardianKey: 'p-0002', hasParentalResponsibility: true, parentAccessConsent: false }],
    affiliations: [{ schoolKey: 'g-school', population: 'pupil', level: 7, begin: '2018-08-15' }],
    ...overrides,
  };
}

export const owner: Group = {
  key: 'g-owner',
  type: 'skoleeier',
  parentKey: 'g-owner',
  shortName: 'Måne kommune',
  identifiers: [
    { type: 'nsrId', value: '1234' },
    { type: 'organizationNumber', value: '999000999' },
  ],
  schoolTypes: [],
};

export const school: Group = {
  key: 'g-school',
  type: 'skole',
  parentKey: 'g-owner',
  schoolKey: 'g-school',
  shortName: 'Måneflekken skole',
  longName: 'Måneflekken barne- og ungdomsskole',
  identifiers: [{ type: 'organizationNumber', value: '333000333' }],
  schoolTypes: ['barneskole', 'ungdomsskole'],
};

export function sampleGroup(overrides: Partial<Group> = {}): Group {
  return {
    key: 'g-7a',
    type: 'basisgruppe',
    parentKey: 'g-school',
    schoolKey: 'g-school',
    shortName: '7A',
    timeframe: { begin: '2024-08-15', end: '2025-06-20', adminPeriod: '2024/2025' },
    identifiers: [],
    schoolTypes: [],
    ...overrides,
  };
}

export function sampleMembership(overrides: Partial<Membership> = {}): Membership {
  return {
    groupKey: 'g-7a',
    personKey: 'p-0001',
    role: 'pupil',
    isActive: true,
    isPrimary: true,
    ...overrides,
  };
}

const orgUnits: ReadonlyMap<string, string> = new Map([
  [owner.key, owner.shortName],
  [school.key, school.shortName],
]);

export interface FeedParts {
  readonly persons?: readonly FeedEntry<Person>[];
  readonly groups?: readonly FeedEntry<Group>[];
  readonly memberships?: readonly FeedEntry<Membership>[];
  readonly feedType?: FeedInput['feedType'];
  readonly orgUnits?: ReadonlyMap<string, string>;
}

export function feedInput(parts: FeedParts): FeedInput {
  return {
    properties: { source, snapshotAt: '2024-08-15T02:00:00Z' },
    feedType: parts.feedType ?? 'full',
    target: 'lms@måne.kommune.no',
    orgUnits: parts.orgUnits ?? orgUnits,
    persons: entriesOf(
      (parts.persons ?? []).map((entry) => ({ ...entry, object: toFeedPerson(entry.object) })),
    ),
    groups: entriesOf(parts.groups ?? []),
    memberships: entriesOf(parts.memberships ?? []),
  };
}

export async function renderToString(input: FeedInput): Promise<string> {
  let xml = '';
  for await (const fragment of renderFeed(input)) xml += fragment;
  return xml;
}

export interface ReadBack {
  readonly properties: Awaited<ReturnType<typeof readFeed>>['properties'];
  readonly persons: FeedEntry<FeedPerson>[];
  readonly groups: FeedEntry<Group>[];
  readonly memberships: FeedEntry<Membership>[];
}

export async function readAll(xml: Parameters<typeof readFeed>[0]): Promise<ReadBack> {
  const document = await readFeed(xml);
  const persons: FeedEntry<FeedPerson>[] = [];
  for await (const entry of document.persons()) persons.push(entry);
  const groups: FeedEntry<Group>[] = [];
  for await (const entry of document.groups()) groups.push(entry);
  const memberships: FeedEntry<Membership>[] = [];
  for await (const entry of document.memberships()) memberships.push(entry);
  return { properties: document.properties, persons, groups, memberships };
}

const schemaPath = fileURLToPath(new URL('../../../schemas/pifu/PIFU-IMS_SAS.xsd', import.meta.url));

/**
 * Validates many documents in one xmllint-wasm run. Each run costs ~0.2 s of set-up, so property tests
 * collect their feeds and validate them together; errors name the failing document by index.
 */
export async function validateAllAgainstXsd(xmls: readonly string[]): Promise<string[]> {
  if (xmls.length === 0) return [];
  const result = await validateXML({
    xml: xmls.map((contents, index) => ({ fileName: `feed-${index}.xml`, contents })),
    schema: [{ fileName: 'PIFU-IMS_SAS.xsd', contents: await readFile(schemaPath, 'utf8') }],
  });
  return result.errors.map((error) => error.rawMessage);
}

/** libxml2's canonical form (C14N) of many documents in one xmllint-wasm run, in input order. */
export async function canonicalizeAll(xmls: readonly string[]): Promise<string[]> {
  const result = await validateXML({
    xml: xmls.map((contents, index) => ({ fileName: `feed-${index}.xml`, contents })),
    normalization: 'c14n',
  });
  if (result.errors.length > 0) throw new Error(result.errors.map((error) => error.rawMessage).join('\n'));
  return result.normalized.split(/(?=<enterprise )/).filter((document) => document.trim() !== '');
}
