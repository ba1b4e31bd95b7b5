import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateFeeds } from '../../../src/operations/index.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const example = fileURLToPath(
  new URL('../../../fixtures/golden/pifu-examples/PIFU-IMS_SAS_eksempel.xml', import.meta.url),
);

/**
 * validateFeeds reads files, not hub data, so anyone may run it: no role check and no audit row (there is
 * no actor to pass). What it owes is a clear answer per file and one coded error for a path it cannot read.
 */
describe('validateFeeds', () => {
  let dir: string;
  let invalid: string;
  const nin = '08908200064';
  beforeAll(() => {
    dir = scratchDir('pifu-validate-');
    invalid = join(dir, 'invalid.xml');
    // A value outside the gender enumeration, shaped like a national identity number.
    writeFileSync(
      invalid,
      readFileSync(example, 'utf8').replace('<gender>1</gender>', `<gender>${nin}</gender>`),
    );
  });

  it('answers per file, in order: valid, or invalid with the validator’s messages, values blanked', async () => {
    const results = await validateFeeds([example, invalid]);
    expect(results.map((result) => [result.path, result.validation.valid])).toEqual([
      [example, true],
      [invalid, false],
    ]);
    expect(results[0]?.validation.errors).toEqual([]);
    const errors = results[1]?.validation.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(/gender/);
    expect(errors.join('\n')).not.toContain(nin);
  });

  it('refuses a missing file or a directory with PIFU_FILE_UNREADABLE naming it', async () => {
    const missing = join(dir, 'nope.xml');
    await expect(validateFeeds([example, missing])).rejects.toMatchObject({
      code: 'PIFU_FILE_UNREADABLE',
      message: `PIFU_FILE_UNREADABLE: ${missing}: no such file; name a PIFU-IMS XML file`,
    });
    await expect(validateFeeds([dir])).rejects.toMatchObject({
      code: 'PIFU_FILE_UNREADABLE',
      message: expect.stringContaining(`${dir}: a directory; name a PIFU-IMS XML file in it`),
    });
  });

  it('reports a file that is not XML at all as invalid, not as a crash', async () => {
    const garbage = join(dir, 'garbage.xml');
    writeFileSync(garbage, 'not xml at all');
    const [result] = await validateFeeds([garbage]);
    expect(result?.validation.valid).toBe(false);
    expect(result?.validation.errors.length).toBeGreaterThan(0);
  });
});
