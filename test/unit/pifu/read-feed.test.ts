import { readFeed } from '../../../src/pifu/index.js';
import {
  feedInput,
  readAll,
  renderToString,
  sampleGroup,
  sampleMembership,
  samplePerson,
  owner,
  school,
} from './feed-fixture.js';

const namespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1';
const properties =
  '<properties lang="no"><datasource>s</datasource><type>full</type><datetime>2024-01-01</datetime></properties>';

async function* chunksOf(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('readFeed', () => {
  it('reads a feed streamed in 7-byte chunks that split multi-byte characters and tags', async () => {
    const xml = await renderToString(
      feedInput({
        persons: [{ object: samplePerson() }],
        groups: [{ object: owner }, { object: school }, { object: sampleGroup() }],
        memberships: [{ object: sampleMembership() }],
      }),
    );
    expect(await readAll(chunksOf(xml, 7))).toEqual(await readAll(xml));
    expect((await readAll(chunksOf(xml, 7))).groups).toHaveLength(3);
  });

  it('reads element prefixes bound to the PIFU namespace', async () => {
    const xml = `<p:enterprise xmlns:p="${namespace}"><p:properties lang="no"><p:datasource>s</p:datasource><p:type>delta</p:type><p:datetime>2024-01-01</p:datetime></p:properties></p:enterprise>`;
    expect((await readFeed(xml)).properties).toEqual({
      datasource: 's',
      targets: [],
      type: 'delta',
      datetime: '2024-01-01',
    });
  });

  it('skips the persons a caller does not read when it asks for groups first', async () => {
    const xml = await renderToString(
      feedInput({ persons: [{ object: samplePerson() }], groups: [{ object: owner }] }),
    );
    const document = await readFeed(xml);
    const keys: string[] = [];
    for await (const entry of document.groups()) keys.push(entry.object.key);
    expect(keys).toEqual(['g-owner']);
  });

  it.each([
    ['text that is not XML', '{"persons": []}'],
    ['an empty input', ''],
    ['XML in another namespace', '<enterprise xmlns="urn:other"><properties/></enterprise>'],
    ['a different root element', `<roster xmlns="${namespace}"/>`],
    ['a document cut off mid-way', `<enterprise xmlns="${namespace}">${properties}<person><sourcedid>`],
    ['mismatched tags', `<enterprise xmlns="${namespace}">${properties}<person></group></enterprise>`],
    ['no properties', `<enterprise xmlns="${namespace}"></enterprise>`],
  ])('refuses %s with PIFU_XML_UNREADABLE', async (_case, text) => {
    await expect(readAll(text)).rejects.toMatchObject({ code: 'PIFU_XML_UNREADABLE' });
  });

  it('refuses a DOCTYPE with entities with PIFU_FILE_REFUSED, before any parser sees it', async () => {
    const text = `<!DOCTYPE x [<!ENTITY a "b">]><enterprise xmlns="${namespace}">${properties}</enterprise>`;
    await expect(readAll(text)).rejects.toMatchObject({ code: 'PIFU_FILE_REFUSED' });
  });

  it('refuses bytes that are not UTF-8 with PIFU_FILE_REFUSED', async () => {
    async function* latin1(): AsyncGenerator<Buffer> {
      yield Buffer.from(`<enterprise xmlns="${namespace}">${properties}<!-- `, 'utf8');
      yield Buffer.from([0xe6, 0xf8, 0xe5]);
    }
    await expect(readAll(latin1())).rejects.toMatchObject({ code: 'PIFU_FILE_REFUSED' });
  });

  it('refuses a malformed record with PIFU_XML_UNREADABLE', async () => {
    const xml = `<enterprise xmlns="${namespace}">${properties}<person><sourcedid a=1></sourcedid></person></enterprise>`;
    await expect(readAll(xml)).rejects.toMatchObject({ code: 'PIFU_XML_UNREADABLE' });
  });
});
