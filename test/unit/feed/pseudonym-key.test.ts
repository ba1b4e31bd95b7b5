import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPseudonymKey } from '../../../src/feed/pseudonym-secret.js';
import { pseudonymFor } from '../../../src/profiles/index.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * The pseudonyms below were computed by the hub before pseudonym keys were read through readSecret
 * (UTF-8 text, trimmed); a recipient that already holds them must keep getting the same ones.
 */
describe('a configured pseudonym key gives the same pseudonyms as before', () => {
  const dir = scratchDir('pseudonym-key-');
  const file = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    return { file: join(dir, name) };
  };
  const binary = Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 89 + 37) % 256));

  it.each([
    [
      'an environment variable',
      () => ({ env: 'PIFU_TEST_PSEUDONYM_KEY' }),
      'psn-783b9bd34dc6baae48c87b62cd9eac98',
    ],
    [
      'a hex key file with its newline',
      () => file('hex', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n'),
      'psn-95017129049a5596350f8e5e9bf0bc86',
    ],
    [
      'a key file with tabs, spaces and CRLF around it',
      () => file('spaced', '\t  correct horse battery staple, thirty-two bytes and more \r\n'),
      'psn-c3fa330938735097a56f9c0a92e6c81d',
    ],
    [
      'a key file with a byte-order mark and a trailing no-break space',
      () => file('bom', '\uFEFFsecret-with-a-bom-and-a-no-break-space-at-the-end\u00A0\n'),
      'psn-4c9b8653479252d99a200305bcf604ae',
    ],
    [
      'a key file of random bytes, not UTF-8',
      () => file('binary', binary),
      'psn-a1814eaeb747d678f170f9f84ac048ea',
    ],
  ])('%s', async (_what, source, pseudonym) => {
    process.env['PIFU_TEST_PSEUDONYM_KEY'] = 'an environment key of at least thirty-two bytes';
    try {
      expect(pseudonymFor(await readPseudonymKey('lms', source()), 'person-1')).toBe(pseudonym);
    } finally {
      delete process.env['PIFU_TEST_PSEUDONYM_KEY'];
    }
  });

  it('refuses a key shorter than 32 bytes once trimmed, naming the file and never the value', async () => {
    const short = file('short', `  ${'k'.repeat(31)}  \n`);
    await expect(readPseudonymKey('lms', short)).rejects.toMatchObject({
      code: 'PIFU_CONFIG_INVALID',
      message: `PIFU_CONFIG_INVALID: recipient "lms": pseudonymKey: file ${short.file} must hold at least 32 bytes`,
    });
  });
});
