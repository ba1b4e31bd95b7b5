import fc from 'fast-check';
import {
  defaultInputLimits,
  InputGuard,
  InputRefusal,
  readFeed,
  type InputLimits,
} from '../../../src/pifu/index.js';
import { feedInput, readAll, renderToString, samplePerson } from './feed-fixture.js';

const namespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1';
const properties =
  '<properties lang="no"><datasource>s</datasource><type>full</type><datetime>2024-01-01</datetime></properties>';
const person = (fn: string, extra = '') =>
  `<person${extra}><sourcedid><source>s</source><id>p1</id></sourcedid><name><fn>${fn}</fn><n><family>F</family><given>G</given></n></name></person>`;
const document = (body: string, head = '') =>
  `${head}<enterprise xmlns="${namespace}">${properties}${body}</enterprise>`;

/** Runs bytes through a guard in chunks of `size`; returns the refusal, or undefined when it passed. */
function guardIn(
  bytes: Buffer,
  size: number,
  limits: InputLimits = defaultInputLimits,
): InputRefusal | undefined {
  const guard = new InputGuard(limits);
  try {
    for (let i = 0; i < bytes.length; i += size) guard.check(bytes.subarray(i, i + size));
    guard.end();
    return undefined;
  } catch (error) {
    if (error instanceof InputRefusal) return error;
    throw error;
  }
}

const hostile: [string, string | Buffer, RegExp][] = [
  [
    'an external entity naming a local file',
    document(
      person('&x;'),
      '<?xml version="1.0"?><!DOCTYPE enterprise [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ),
    /DOCTYPE/,
  ],
  [
    'an external entity fetched over http',
    document(person('&x;'), '<!DOCTYPE enterprise [<!ENTITY x SYSTEM "http://127.0.0.1:9/">]>'),
    /DOCTYPE/,
  ],
  [
    'nested entity expansion (billion laughs)',
    document(
      person('&l3;'),
      '<!DOCTYPE e [<!ENTITY l0 "ha"><!ENTITY l1 "&l0;&l0;&l0;"><!ENTITY l2 "&l1;&l1;&l1;"><!ENTITY l3 "&l2;&l2;">]>',
    ),
    /DOCTYPE/,
  ],
  ['an undeclared entity used only inside <fn>', document(person('Ola &nordmann; Kari')), /entity reference/],
  ['an entity inside an attribute value', document(person('x', ' recstatus="&one;"')), /entity reference/],
  ['a stray & in a name', document(person('Ola & Kari 17097055655')), /an & that starts no reference/],
  ['a NUL byte', document(person('a\u0000b')), /NUL/],
  [
    'bytes that are not UTF-8',
    Buffer.concat([Buffer.from(document('<!-- ')), Buffer.from([0xe6, 0xf8])]),
    /UTF-8/,
  ],
  ['UTF-16', Buffer.from(`\uFEFF${document('')}`, 'utf16le'), /UTF-16/],
  [
    'an encoding the hub does not read',
    document('', '<?xml version="1.0" encoding="EBCDIC-US"?>'),
    /encoding/,
  ],
  ['deep nesting', document(`${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`), /nested deeper than 32/],
];

describe('InputGuard', () => {
  it.each(hostile)('refuses %s, whole or one byte at a time', (_case, input, reason) => {
    const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input, 'utf8');
    for (const size of [bytes.length, 1, 7]) {
      const refusal = guardIn(bytes, size);
      expect(refusal?.message).toMatch(reason);
      // The reason names the rule and the line, never a value from the file.
      expect(refusal?.message).not.toMatch(/nordmann|passwd|Kari|17097055655/);
    }
  });

  it('refuses a file past the size limit, a huge attribute, a huge record and a run past the time limit', () => {
    const tight: InputLimits = {
      ...defaultInputLimits,
      maxBytes: 4096,
      maxMarkupBytes: 512,
      maxRecordBytes: 1024,
    };
    expect(guardIn(Buffer.from(document(' '.repeat(5000))), 100, tight)?.message).toMatch(
      /larger than the limit/,
    );
    expect(
      guardIn(Buffer.from(document(person('x', ` a="${'x'.repeat(600)}"`))), 100, tight)?.message,
    ).toMatch(/longer than 512 bytes/);
    expect(guardIn(Buffer.from(document(person('x'.repeat(1500)))), 100, tight)?.message).toMatch(
      /record is larger than 1024/,
    );
    // Whitespace before or after the root element: a native xmllint would hold all of it in memory.
    for (const text of [`${' '.repeat(600)}${document('')}`, `${document('')}${'\n'.repeat(600)}`]) {
      expect(guardIn(Buffer.from(text), 100, tight)?.message).toMatch(
        /more than 512 bytes of text outside the root element/,
      );
    }
    expect(
      guardIn(Buffer.from(document(' '.repeat(600))), 100, { ...tight, maxBytes: 8192 }),
    ).toBeUndefined();
    const late = new InputGuard({ ...defaultInputLimits, maxSeconds: 1 }, Date.now() - 2000);
    expect(() => late.check(Buffer.from(document('')))).toThrow(/longer than the limit of 1 s/);
  });

  it('lets through the five predefined entities, character references, comments and CDATA', () => {
    const text = document(
      `<!-- a & comment --><![CDATA[ & < ]]>${person('&amp;&lt;&gt;&quot;&apos;&#229;&#xE6;')}`,
      '<?xml version="1.0" encoding="UTF-8"?>',
    );
    expect(guardIn(Buffer.from(text), 3)).toBeUndefined();
  });

  it('never refuses a feed the hub wrote, however it is cut into chunks', async () => {
    const xml = Buffer.from(
      await renderToString(
        feedInput({ persons: [{ object: samplePerson({ name: { given: 'Å & Ø', family: '<x>' } }) }] }),
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), (size) => guardIn(xml, size) === undefined),
      { numRuns: Number(process.env['FC_RUNS'] ?? 25) },
    );
  });
});

describe('readFeed behind the guard', () => {
  it('refuses hostile input with PIFU_FILE_REFUSED and one line naming the input', async () => {
    await expect(readFeed(document(person('&x;')), { name: 'upload.xml' })).rejects.toMatchObject({
      code: 'PIFU_FILE_REFUSED',
      message: expect.stringMatching(
        /^PIFU_FILE_REFUSED: upload\.xml: .*entity reference.*\(line 1\); nothing/,
      ),
    });
  });

  it('decodes a file declared ISO-8859-1, and the predefined entities and character references', async () => {
    const text = document(
      person('x').replace('<given>G</given>', '<given>Bjørn &amp; &#197;se</given>'),
      '<?xml version="1.0" encoding="ISO-8859-1"?>\n',
    );
    const feed = await readAll(Buffer.from(text, 'latin1'));
    expect(feed.persons[0]?.object.name).toEqual({ given: 'Bjørn & Åse', family: 'F' });
  });
});
