import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateFeedFile, validateFeedText } from '../../../src/pifu/index.js';
import { feedInput, renderToString, samplePerson } from './feed-fixture.js';

describe('validateFeedText and validateFeedFile', () => {
  it('accept a feed the writer produced, from text and from a file', async () => {
    const xml = await renderToString(feedInput({ persons: [{ object: samplePerson() }] }));
    const directory = await mkdtemp(join(tmpdir(), 'pifu-validate-'));
    try {
      const path = join(directory, 'feed.xml');
      await writeFile(path, xml);
      expect(await validateFeedText(xml)).toEqual({ valid: true, errors: [] });
      expect(await validateFeedFile(path)).toEqual({ valid: true, errors: [] });
    } finally {
      await rm(directory, { recursive: true });
    }
  });

  it('report a schema violation without the offending value, which may be personal data', async () => {
    const xml = (
      await renderToString(feedInput({ persons: [{ object: samplePerson({ birthDate: '2012-03-04' }) }] }))
    ).replace('<bday>2012-03-04</bday>', '<bday>17097055655</bday>');
    const result = await validateFeedText(xml);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toContain('bday');
    expect(result.errors.join('\n')).not.toContain('17097055655');
  });

  it('report a file cut off mid-record without the source line libxml2 quotes under a parser error', async () => {
    const xml = await renderToString(
      feedInput({ persons: [{ object: samplePerson({ name: { given: 'Kari', family: 'Hemmeligsen' } }) }] }),
    );
    const cut = xml.slice(0, xml.indexOf('Hemmeligsen') + 'Hemmeligsen</family'.length);
    const directory = await mkdtemp(join(tmpdir(), 'pifu-validate-'));
    try {
      const path = join(directory, 'cut.xml');
      await writeFile(path, cut);
      for (const result of [await validateFeedText(cut), await validateFeedFile(path)]) {
        expect(result.valid).toBe(false);
        expect(result.errors.length).toBeGreaterThan(0);
        for (const error of result.errors) expect(error).toMatch(/^(feed|\/.*cut)\.xml:\d+: /);
        expect(result.errors.join('\n')).not.toMatch(/Hemmeligsen|Kari/);
      }
    } finally {
      await rm(directory, { recursive: true });
    }
  });

  it('report elements out of XSD order', async () => {
    const xml = (await renderToString(feedInput({ persons: [{ object: samplePerson() }] }))).replace(
      /(<userid[^]*?<\/userid>)(<userid[^]*?<\/userid>)?(<name>[^]*?<\/name>)/,
      '$3$1',
    );
    const result = await validateFeedText(xml);
    expect(result.valid).toBe(false);
    expect(result.errors.length).toBeGreaterThan(0);
  });
});
