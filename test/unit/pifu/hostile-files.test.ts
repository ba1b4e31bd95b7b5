import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { open, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findXmllint, openGuardedFile, readFeed, validateFeedFile } from '../../../src/pifu/index.js';

const namespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1';
const properties =
  '<properties lang="no"><datasource>s</datasource><type>full</type><datetime>2024-01-01</datetime></properties>';
const person = (fn: string) =>
  `<person><sourcedid><source>s</source><id>p1</id></sourcedid><name><fn>${fn}</fn><n><family>F</family><given>G</given></n></name></person>`;
const secret = 'SECRET-7f3a9c-not-to-be-read';

/**
 * The hostile corpus, each as a small file and padded past 50 MB (the size where validate used to hand
 * files to a native xmllint that loaded entities). The padding is a sparse hole of NUL bytes after the
 * hostile prefix: a reader that went past the prefix would be refused for the NUL instead, so the
 * reason proves where reading stopped. An HTTP server counts any fetch; the secret file must not leak.
 */
describe('hostile files, refused by validate and import reading, with and without xmllint', () => {
  let dir: string;
  let server: Server;
  let requests = 0;
  let corpus: [string, string, RegExp][];
  let xmllint: string | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pifu-hostile-'));
    await writeFile(join(dir, 'secret.txt'), secret);
    server = createServer((_request, response) => {
      requests++;
      response.end(secret);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const doctype = (entities: string) => `<?xml version="1.0"?>\n<!DOCTYPE enterprise [${entities}]>\n`;
    const body = (fn: string) => `<enterprise xmlns="${namespace}">${properties}${person(fn)}</enterprise>`;
    corpus = [
      [
        'xxe-file',
        doctype(`<!ENTITY x SYSTEM "file://${join(dir, 'secret.txt')}">`) + body('&x;'),
        /DOCTYPE/,
      ],
      ['xxe-http', doctype(`<!ENTITY x SYSTEM "http://127.0.0.1:${port}/x">`) + body('&x;'), /DOCTYPE/],
      [
        'billion-laughs',
        doctype(
          '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">',
        ) + body('&c;'),
        /DOCTYPE/,
      ],
      ['quadratic', doctype(`<!ENTITY q "${'q'.repeat(10_000)}">`) + body('&q;'.repeat(1000)), /DOCTYPE/],
      ['undeclared-entity', body('&x;'), /entity reference/],
      ['deep-nesting', `<enterprise xmlns="${namespace}">${'<a>'.repeat(5000)}`, /nested deeper/],
      ['stray-ampersand', body('Ola & Kari'), /an & that starts no reference/],
      ['invalid-utf8', `<enterprise xmlns="${namespace}">\u00ff`, /UTF-8/],
    ];
    for (const [name, text] of corpus) {
      const bytes = name === 'invalid-utf8' ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
      await writeFile(join(dir, `${name}.xml`), bytes);
      const padded = await open(join(dir, `${name}-padded.xml`), 'w');
      await padded.write(bytes);
      await padded.truncate(60 * 1024 * 1024);
      await padded.close();
    }
    xmllint = await findXmllint();
  });

  afterAll(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('has a native xmllint to test against (CI installs libxml2-utils)', () => {
    expect(xmllint).toBeDefined();
  });

  it.each(['small', 'padded'])(
    'refuses every %s file in validate, with and without xmllint',
    async (size) => {
      for (const [name, , reason] of corpus) {
        const path = join(dir, size === 'small' ? `${name}.xml` : `${name}-padded.xml`);
        for (const native of [xmllint, undefined]) {
          const refusal = validateFeedFile(path, { xmllint: native });
          await expect(refusal).rejects.toMatchObject({
            code: 'PIFU_FILE_REFUSED',
            message: expect.stringMatching(reason),
          });
          await expect(refusal).rejects.not.toMatchObject({ message: expect.stringContaining(secret) });
        }
      }
      expect(requests).toBe(0);
    },
  );

  it.each(['small', 'padded'])('refuses every %s file when reading it for import', async (size) => {
    for (const [name, , reason] of corpus) {
      const path = join(dir, size === 'small' ? `${name}.xml` : `${name}-padded.xml`);
      const file = await openGuardedFile(path);
      const reading = readFeed(file.chunks(), { guarded: file.guard, name: path }).then(async (feed) => {
        for await (const _entry of feed.persons());
      });
      await expect(reading).rejects.toMatchObject({
        code: 'PIFU_FILE_REFUSED',
        message: expect.stringMatching(reason),
      });
    }
    expect(requests).toBe(0);
  });

  it('refuses an endless device, a FIFO, a directory and a file past the size limit before reading a byte', async () => {
    // A path that is no file to read is said as such (PIFU_FILE_UNREADABLE), by import and validate alike.
    for (const device of ['/dev/zero', '/dev/urandom']) {
      await expect(openGuardedFile(device)).rejects.toMatchObject({
        code: 'PIFU_FILE_UNREADABLE',
        message: expect.stringContaining(`${device}: not a regular file (a device, FIFO or socket)`),
      });
      await expect(validateFeedFile(device)).rejects.toMatchObject({ code: 'PIFU_FILE_UNREADABLE' });
    }
    const fifo = join(dir, 'export.fifo');
    execFileSync('mkfifo', [fifo]); // no writer: opening it for reading must not wait for one
    await expect(openGuardedFile(fifo)).rejects.toMatchObject({
      code: 'PIFU_FILE_UNREADABLE',
      message: expect.stringContaining('not a regular file'),
    });
    await expect(openGuardedFile(dir)).rejects.toMatchObject({
      code: 'PIFU_FILE_UNREADABLE',
      message: expect.stringContaining(`${dir}: a directory; name a PIFU-IMS XML file in it`),
    });
    // A 2 GB hole of NUL bytes, refused by its size alone; the real whitespace and the size limit as
    // configured go through the CLI in test/integration/cli/hostile-corpus.test.ts.
    const huge = join(dir, 'sparse-2g.xml');
    const handle = await open(huge, 'w');
    await handle.truncate(2 * 1024 * 1024 * 1024);
    await handle.close();
    await expect(validateFeedFile(huge)).rejects.toMatchObject({
      code: 'PIFU_FILE_REFUSED',
      message: expect.stringContaining('larger than the limit'),
    });
  });
});
