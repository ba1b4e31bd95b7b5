import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFeed, type UnreadableRecord } from '../../../src/pifu/read-feed.js';
import { scanRecords, type XmlRecord } from '../../../src/pifu/record-scanner.js';
import { parseRecord, parseRecords } from '../../../src/pifu/xml-node.js';
import {
  feedInput,
  owner,
  renderToString,
  sampleGroup,
  sampleMembership,
  samplePerson,
  school,
} from './feed-fixture.js';

const namespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1';
const properties =
  '<properties lang="no"><datasource>s</datasource><type>full</type><datetime>2024-01-01</datetime></properties>';
const secret = 'Hemmelig-Navn-4711';
const person = (id: string, fn = 'Ola Nordmann') =>
  `<person><sourcedid><source>s</source><id>${id}</id></sourcedid><name><fn>${fn}</fn><n><family>F</family><given>G</given></n></name></person>`;
const examplesDirectory = fileURLToPath(new URL('../../../fixtures/golden/pifu-examples', import.meta.url));

async function recordsOf(xml: string): Promise<XmlRecord[]> {
  async function* once(): AsyncGenerator<string> {
    yield xml;
  }
  const records: XmlRecord[] = [];
  for await (const record of scanRecords(once())) records.push(record);
  return records;
}

/** What the reader reports for a feed: the persons' keys and the unreadable records. */
async function readPersons(xml: string): Promise<{ keys: string[]; problems: UnreadableRecord[] }> {
  const problems: UnreadableRecord[] = [];
  const feed = await readFeed(xml, { onUnreadableRecord: (problem) => problems.push(problem) });
  const keys: string[] = [];
  for await (const entry of feed.persons()) keys.push(entry.object.key);
  return { keys, problems };
}

/** Each record alone, as the reader parsed them before batches: the reference. */
function parsedAlone(records: readonly XmlRecord[]) {
  return records.map((record) => {
    try {
      return { node: parseRecord(record.xml, record.name, record.line) };
    } catch (error) {
      return { error };
    }
  });
}

describe('records parsed in batches', () => {
  const feeds: [string, () => Promise<string>][] = [
    [
      'the writer’s own feed',
      () =>
        renderToString(
          feedInput({
            persons: [
              { object: samplePerson() },
              { object: samplePerson({ key: 'p-2', name: { given: 'Å & <Ø>', family: 'tab\there "x"' } }) },
            ],
            groups: [{ object: owner }, { object: school }, { object: sampleGroup() }],
            memberships: [{ object: sampleMembership() }],
          }),
        ),
    ],
    ...readdirSync(examplesDirectory)
      .filter((file) => file.endsWith('.xml'))
      .map((file): [string, () => Promise<string>] => [
        file,
        () => Promise.resolve(readFileSync(join(examplesDirectory, file), 'utf8')),
      ]),
    [
      'records with comments, CDATA, references, prefixes and odd spacing',
      () =>
        Promise.resolve(
          `<p:enterprise xmlns:p="${namespace}">${properties}\n` +
            `<p:person recstatus = '1'  ><!-- c --><p:sourcedid><p:source>s</p:source><p:id>a</p:id></p:sourcedid>` +
            `<p:name><p:fn><![CDATA[A <b> &amp;]]> &#x41;&#13;&lt;x&gt;</p:fn ><p:n><p:family/><p:given>G</p:given></p:n></p:name></p:person>\n` +
            `<p:person><p:sourcedid sourcedidtype="New"><p:source>s</p:source><p:id>b</p:id></p:sourcedid>` +
            `<p:name>\n  <p:fn>  B  </p:fn>\n</p:name><toString>t</toString><hasOwnProperty/><p:userid useridtype="sisID" password="x">1</p:userid></p:person>\n</p:enterprise>`,
        ),
    ],
  ];

  it.each(feeds)('give the very nodes parsing each record alone gives: %s', async (_name, feed) => {
    const records = await recordsOf(await feed());
    for (const name of new Set(records.map((record) => record.name))) {
      const ofName = records.filter((record) => record.name === name);
      expect(parseRecords(ofName)).toEqual(parsedAlone(ofName));
    }
  });

  it('mark the writer’s records and the official examples as plain, so the validator is skipped for them', async () => {
    const records = (
      await Promise.all(feeds.slice(0, -1).map(async ([, feed]) => recordsOf(await feed())))
    ).flat();
    expect(records.length).toBeGreaterThan(50);
    expect(records.filter((record) => !record.hasPlainTags)).toEqual([]);
  });

  // Each malformed record sits between good ones, on line 3 of the feed; its problem is on its 2nd line.
  it.each([
    ['an unquoted attribute', '<person>\n<sourcedid a=1><source>s</source><id>x</id></sourcedid></person>'],
    ['an attribute twice', '<person>\n<userid useridtype="a" useridtype="b">1</userid></person>'],
    ['an attribute without a value', '<person>\n<userid useridtype=>1</userid></person>'],
    ['an attribute without =', '<person>\n<userid useridtype>1</userid></person>'],
    ['attributes without space between', '<person>\n<userid a="1"b="2">1</userid></person>'],
    ['an element name that is no XML name', '<person>\n<1fn>x</1fn></person>'],
  ])(
    'refuse a record with %s as parsing it alone does, even where unreadable records are skipped',
    async (_case, bad) => {
      const xml = `<enterprise xmlns="${namespace}">${properties}\n${person('p-1', secret)}\n${bad.replace('<person>', `<person><!-- ${secret} -->`)}\n${person('p-3', secret)}</enterprise>`;
      const records = await recordsOf(xml);
      const malformed = records[2]!;
      expect(malformed.line).toBe(3);
      expect(malformed.hasPlainTags).toBe(false);
      const alone = parsedAlone([malformed])[0]!;
      expect(alone).toMatchObject({ error: { code: 'PIFU_XML_UNREADABLE' } });
      const message = (alone as { error: Error }).error.message;
      expect(message).toMatch(/ at line 4\)$/);
      expect(message).not.toContain(secret);

      // Its neighbours in the batch are parsed as each alone is.
      expect(parseRecords(records.slice(1))).toEqual(parsedAlone(records.slice(1)));
      // Not well-formed is not one object the mapping cannot read: the read ends, lenient or not.
      await expect(readPersons(xml)).rejects.toMatchObject({ code: 'PIFU_XML_UNREADABLE', message });
      const strict = readFeed(xml).then(async (feed) => {
        for await (const _entry of feed.persons());
      });
      await expect(strict).rejects.toMatchObject({ code: 'PIFU_XML_UNREADABLE', message });
    },
  );

  it('fall back to each record alone when the parser throws, as for an element named constructor', async () => {
    const odd = '<person><sourcedid><source>s</source><id>p-2</id></sourcedid><constructor/></person>';
    const xml = `<enterprise xmlns="${namespace}">${properties}${person('p-1')}${odd}${person('p-3')}</enterprise>`;
    const persons = (await recordsOf(xml)).slice(1);
    const alone = parsedAlone(persons);
    expect(alone[1]).toMatchObject({ error: expect.any(Error) });
    expect(parseRecords(persons)).toEqual(alone);
  });

  it.each([
    ['a < in an attribute value', '<id title="a<b">p-2</id>'],
    ['a processing instruction', '<id>p-2</id><?xml version="1.0"?>'],
    ['a name outside ASCII', '<id>p-2</id><ære>1</ære>'],
  ])('read a record with %s as parsing it alone does', async (_case, id) => {
    const odd = `<person><sourcedid><source>s</source>${id}</sourcedid><name><fn>x</fn><n><family>F</family><given>G</given></n></name></person>`;
    const xml = `<enterprise xmlns="${namespace}">${properties}${person('p-1')}${odd}${person('p-3')}</enterprise>`;
    const records = await recordsOf(xml);
    expect(records.map((record) => record.hasPlainTags)).toEqual([true, true, false, true]);
    const persons = records.slice(1);
    expect(parseRecords(persons)).toEqual(parsedAlone(persons));
    expect((await readPersons(xml)).keys).toEqual(['p-1', 'p-2', 'p-3']);
  });

  it('end the read at a record that is not well-formed, even when the caller skips unreadable records', async () => {
    const unnamed = '<person><sourcedid><source>s</source><id>p-2</id></sourcedid></person>';
    const twice = person('p-4').replace('<person>', '<person recstatus="1" recstatus="1">');
    const mapped = `<enterprise xmlns="${namespace}">${properties}${person('p-1')}${unnamed}${person('p-3')}</enterprise>`;
    expect(await readPersons(mapped)).toMatchObject({
      keys: ['p-1', 'p-3'],
      problems: [{ name: 'person', message: expect.stringMatching(/no name|name/) }],
    });
    const malformed = `<enterprise xmlns="${namespace}">${properties}${person('p-1')}${twice}${person('p-3')}</enterprise>`;
    await expect(readPersons(malformed)).rejects.toMatchObject({
      code: 'PIFU_XML_UNREADABLE',
      message: expect.stringMatching(/a <person> record is not well-formed XML \(InvalidAttr at line 1\)/),
    });
  });

  it('read feeds longer than one batch, in order, across the change from persons to groups', async () => {
    const count = 100;
    const xml = await renderToString(
      feedInput({
        persons: Array.from({ length: count }, (_, i) => ({
          object: samplePerson({ key: `p-${String(i).padStart(4, '0')}` }),
        })),
        groups: [{ object: owner }, { object: school }],
      }),
    );
    const feed = await readFeed(xml);
    const keys: string[] = [];
    for await (const entry of feed.persons()) keys.push(entry.object.key);
    const groups: string[] = [];
    for await (const entry of feed.groups()) groups.push(entry.object.key);
    expect(keys).toHaveLength(count);
    expect(keys).toEqual([...keys].sort());
    expect(groups).toEqual([owner.key, school.key]);
  });
});
