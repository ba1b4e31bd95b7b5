import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAll, validateAllAgainstXsd } from './feed-fixture.js';
import { readFile } from 'node:fs/promises';

// Unchanged copies of Utdanningsdirektoratet/pifu, pifu-ims/ (PIFU-IMS 1.3, schema 2020-04-12).
const examplesDirectory = fileURLToPath(new URL('../../../fixtures/golden/pifu-examples', import.meta.url));
const exampleFiles = readdirSync(examplesDirectory).filter((file) => file.endsWith('.xml'));

describe('the official PIFU-IMS 1.3 examples', () => {
  it('are all present', () => {
    expect(exampleFiles).toHaveLength(9);
  });

  // One xmllint-wasm run for all nine (each run compiles libxml2 afresh); its messages name the file.
  let xsdErrors: string[] = [];
  beforeAll(async () => {
    xsdErrors = await validateAllAgainstXsd(
      await Promise.all(exampleFiles.map((file) => readFile(join(examplesDirectory, file), 'utf8'))),
    );
  });

  it.each(exampleFiles.map((file, index) => [file, `feed-${index}.xml`]))(
    '%s validates against the XSD',
    (_file, validatedAs) => {
      expect(xsdErrors.filter((error) => error.includes(validatedAs))).toEqual([]);
    },
  );

  it('the XSD run reports nothing at all', () => {
    expect(xsdErrors).toEqual([]);
  });

  it.each(exampleFiles)('%s is read as a full feed from the same datasource', async (file) => {
    const feed = await readAll(await readFile(join(examplesDirectory, file), 'utf8'));
    expect(feed.properties).toMatchObject({ datasource: 'mitt-sas@måne.kommune.no', type: 'full' });
  });

  it('reads the first person of the full example with the New sourcedid as key and IMS gender coding', async () => {
    const feed = await readAll(await readFile(join(examplesDirectory, 'PIFU-IMS_SAS_eksempel.xml'), 'utf8'));
    const first = feed.persons[0]?.object;
    expect(first).toMatchObject({
      key: 'global_ID_01235',
      name: { given: 'Janne', family: 'Stor' },
      gender: 'female',
      birthDate: '1970-09-17',
      status: 'active',
      preferredLanguage: 'nb',
    });
    expect(first?.identifiers).toContainEqual({ type: 'workforceId', value: '1384628' });
    expect(first?.emails).toContainEqual({ kind: 'org', address: 'janne.stor@måne.kommune.no', priority: 0 });
    expect(feed.persons).toHaveLength(5);
    expect(feed.persons.every((entry) => entry.change === undefined)).toBe(true);
  });

  it('reads the organisation and groups of the full example with parents and levels', async () => {
    const feed = await readAll(await readFile(join(examplesDirectory, 'PIFU-IMS_SAS_eksempel.xml'), 'utf8'));
    const types = feed.groups.map((entry) => entry.object.type);
    expect(types.slice(0, 2)).toEqual(['skoleeier', 'skole']);
    const owner = feed.groups[0]?.object;
    expect(owner?.identifiers).toContainEqual({ type: 'organizationNumber', value: '999000999' });
    expect(feed.groups[1]?.object.parentKey).toBe(owner?.key);
  });

  it('flattens the memberships of the full example into one record per role', async () => {
    const feed = await readAll(await readFile(join(examplesDirectory, 'PIFU-IMS_SAS_eksempel.xml'), 'utf8'));
    expect(feed.memberships.slice(0, 2).map((entry) => entry.object)).toEqual([
      {
        groupKey: 'global_ID_org_2',
        personKey: 'global_ID_01235',
        role: 'teacher',
        isActive: true,
        isPrimary: true,
      },
      {
        groupKey: 'global_ID_org_2',
        personKey: 'global_ID_01235',
        role: 'pupil',
        isActive: true,
        isPrimary: false,
      },
    ]);
  });

  it('reads the membership-only grade example, ignoring results', async () => {
    const feed = await readAll(
      await readFile(join(examplesDirectory, 'PIFU-IMS_SAS_eksempel_karakter_2_kompakt.xml'), 'utf8'),
    );
    expect(feed.persons).toHaveLength(0);
    expect(feed.memberships[0]?.object).toEqual({
      groupKey: 'global_ID_fag_Astr001',
      personKey: 'global_ID_01236',
      role: 'pupil',
      isActive: true,
      isPrimary: false,
    });
  });
});
