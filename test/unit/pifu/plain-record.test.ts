import fc from 'fast-check';
import { parsePlainRecord } from '../../../src/pifu/plain-record.js';
import { scanRecords, type XmlRecord } from '../../../src/pifu/record-scanner.js';
import { parseRecord } from '../../../src/pifu/xml-node.js';

const namespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1';

async function scanned(record: string): Promise<XmlRecord> {
  async function* once(): AsyncGenerator<string> {
    yield `<enterprise xmlns="${namespace}">${record}</enterprise>`;
  }
  const records: XmlRecord[] = [];
  for await (const found of scanRecords(once())) records.push(found);
  expect(records).toHaveLength(1);
  return records[0]!;
}

interface Element {
  readonly name: string;
  readonly attributes: readonly (readonly [string, string, string, string])[];
  readonly content: readonly (string | Element)[];
  readonly form: 'pair' | 'empty' | 'spaced-empty';
}

// Prefixes, names with more than one colon, attributes named as an object's methods, references, line ends.
const elementNames = ['person', 'p:id', 'fn', 'x.y', '_z', 'a-b', 'p:q:r', 'isPrototypeOf'];
const attributeNames = ['type', 'p:type', 'q:type', 'xmlns', 'xmlns:p', 'a:b:c', 'recstatus', 'valueOf'];
const textPieces = [
  'a',
  ' ',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '&amp;',
  '&lt;',
  '&gt;',
  '&#13;',
  '&#x1F600;',
  '>',
  'æ',
];
const valuePieces = [...textPieces, '&quot;', '&apos;', '/', '='];
const spaces = [' ', '  ', '\n', '\t', '\r\n'];

const text = fc.array(fc.constantFrom(...textPieces), { maxLength: 4 }).map((pieces) => pieces.join(''));
const attribute = fc.tuple(
  fc.constantFrom(...spaces),
  fc.constantFrom('=', ' = ', '\n='),
  fc.constantFrom('"', "'"),
  fc.array(fc.constantFrom(...valuePieces), { maxLength: 4 }).map((pieces) => pieces.join('')),
);
const { element } = fc.letrec<{ element: Element }>((tie) => ({
  element: fc.record({
    name: fc.constantFrom(...elementNames),
    attributes: fc
      .uniqueArray(fc.tuple(fc.constantFrom(...attributeNames), attribute), {
        maxLength: 3,
        selector: ([name]) => name,
      })
      .map((list) =>
        list.map(
          ([name, [space, equals, quote, value]]) =>
            [name, space, equals, `${quote}${value}${quote}`] as const,
        ),
      ),
    content: fc.array(fc.oneof({ depthSize: 'small' }, text, tie('element')), { maxLength: 4 }),
    form: fc.constantFrom('pair', 'empty', 'spaced-empty'),
  }),
}));

function render(node: Element): string {
  const attributes = node.attributes.map(
    ([name, space, equals, value]) => `${space}${name}${equals}${value}`,
  );
  const start = `<${node.name}${attributes.join('')}`;
  if (node.content.length === 0 && node.form !== 'pair')
    return `${start}${node.form === 'empty' ? '/>' : ' />'}`;
  const content = node.content.map((part) => (typeof part === 'string' ? part : render(part))).join('');
  return `${start}>${content}</${node.name}>`;
}

describe('a record of plain tags parsed without fast-xml-parser', () => {
  it('is the very node fast-xml-parser makes of it', async () => {
    await fc.assert(
      fc.asyncProperty(element, async (root) => {
        const xml = render({ ...root, name: 'person' });
        const record = await scanned(xml);
        expect(record.hasPlainTags).toBe(true);
        expect(parsePlainRecord(record.xml)).toStrictEqual(parseRecord(record.xml, 'person'));
      }),
    );
  });

  it.each([
    ['a comment', '<person><!-- c --><id>1</id></person>'],
    ['a CDATA section', '<person><id><![CDATA[1]]></id></person>'],
    ['a processing instruction', '<person><id>1</id><?pi x?></person>'],
    ['an element fast-xml-parser refuses by its name', '<person><constructor/></person>'],
    ['an element fast-xml-parser renames', '<person><p:toString>1</p:toString></person>'],
    ['an element with an empty local name', '<person><p:>1</p:></person>'],
  ])('is left to fast-xml-parser when it holds %s', (_case, xml) => {
    expect(parsePlainRecord(xml)).toBeUndefined();
  });
});
