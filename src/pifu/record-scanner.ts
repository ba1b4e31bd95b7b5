import { HubError } from '../errors/index.js';
import { pifuNamespace } from './pifu-namespace.js';

/** One child of `enterprise` (properties, person, group, membership, comments), cut out as text. */
export interface XmlRecord {
  /** Local name, without any namespace prefix. */
  readonly name: string;
  readonly xml: string;
  /** The line of the document the record starts on (1-based), for reports. */
  readonly line: number;
  /**
   * Every tag of the record is of the plain forms below (ASCII names, quoted attributes without `<`,
   * none twice) and it holds no processing instruction: nothing a validator could refuse in it, given
   * that its tags pair up (checked here) and its references are the predefined ones (the input guard).
   */
  readonly hasPlainTags: boolean;
}

function unreadable(reason: string): HubError {
  return new HubError('PIFU_XML_UNREADABLE', `${reason}; expected a PIFU-IMS 1.3 XML document`);
}

function localName(qualifiedName: string): string {
  const colon = qualifiedName.indexOf(':');
  return colon === -1 ? qualifiedName : qualifiedName.slice(colon + 1);
}

/** End of a start or end tag, skipping `>` inside quoted attribute values; -1 if not yet buffered. */
function findTagEnd(text: string, from: number): number {
  let quote = '';
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (quote !== '') {
      if (char === quote) quote = '';
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '>') {
      return i;
    }
  }
  return -1;
}

/** PIFU-IMS 1.1 and 1.2 exports still occur; their namespaces carried the minor version. */
const olderNamespaces = /^http:\/\/pifu\.no\/xsd\/pifu-ims_sas\/pifu-ims_sas-1\.[12](?:\.\d+)?$/;

/** The root must be `enterprise` in the PIFU namespace (1.3's, or 1.1's or 1.2's), with or without a prefix. */
function checkRoot(tag: string, qualifiedName: string): void {
  if (localName(qualifiedName) !== 'enterprise') {
    throw unreadable(`the root element is <${qualifiedName.slice(0, 64)}>, not <enterprise>`);
  }
  const colon = qualifiedName.indexOf(':');
  const namespaceAttribute = colon === -1 ? 'xmlns' : `xmlns:${qualifiedName.slice(0, colon)}`;
  const declarations = tag.matchAll(/([^\s=<>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g);
  for (const [, name, doubleQuoted, singleQuoted] of declarations) {
    if (name === namespaceAttribute) {
      const uri = doubleQuoted ?? singleQuoted ?? '';
      if (uri === pifuNamespace || olderNamespaces.test(uri)) return;
      throw unreadable(`<enterprise> is in namespace "${uri.slice(0, 128)}", not ${pifuNamespace}`);
    }
  }
  throw unreadable(`<enterprise> does not declare the namespace ${pifuNamespace}`);
}

const plainName = '[A-Za-z_:][\\w.:-]*';
const plainSpace = '[ \\t\\r\\n]';
const plainAttribute = `${plainSpace}+(${plainName})${plainSpace}*=${plainSpace}*(?:"[^"<]*"|'[^'<]*')`;
const plainStartTag = new RegExp(`^<${plainName}(?:${plainAttribute})*${plainSpace}*/?>$`);
const plainEndTag = new RegExp(`^</${plainName}${plainSpace}*>$`);
const attributeNames = new RegExp(plainAttribute, 'g');

function isPlainStartTag(tag: string): boolean {
  if (!plainStartTag.test(tag)) return false;
  const equals = tag.indexOf('=');
  if (equals === -1 || equals === tag.lastIndexOf('=')) return true;
  const seen = new Set<string>();
  for (const [, name] of tag.matchAll(attributeNames)) {
    if (seen.has(name!)) return false;
    seen.add(name!);
  }
  return true;
}

const markupEnds: ReadonlyArray<readonly [string, string]> = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
  ['<?', '?>'],
];

/**
 * Cuts the children of `enterprise` out of a text stream, so only one record is ever held in memory. A
 * scanner, not a parser: it tracks comments, CDATA, processing instructions and tag nesting, refuses a
 * DOCTYPE (no entity expansion from input), and leaves well-formedness inside a record to the parser
 * (saying, per record, whether its tags are all plain ones).
 * Its input has passed the InputGuard (encoding, entities, sizes) and been decoded to text.
 */
export async function* scanRecords(chunks: AsyncIterable<string>): AsyncGenerator<XmlRecord> {
  let buffer = '';
  let position = 0;
  let recordStart = -1;
  let recordName = '';
  let isRecordPlain = true;
  const openElements: string[] = [];
  let hasRoot = false;
  let isRootClosed = false;
  let isEnded = false;
  const iterator = chunks[Symbol.asyncIterator]();
  // Lines before `counted` in the buffer are in `line`; counted forward only, once per character.
  let line = 1;
  let counted = 0;
  const lineAt = (index: number): number => {
    for (
      let next = buffer.indexOf('\n', counted);
      next !== -1 && next < index;
      next = buffer.indexOf('\n', next + 1)
    ) {
      line++;
    }
    counted = Math.max(counted, index);
    return line;
  };

  const readMore = async (): Promise<boolean> => {
    const keepFrom = recordStart === -1 ? position : recordStart;
    lineAt(keepFrom);
    counted -= keepFrom;
    buffer = buffer.slice(keepFrom);
    position -= keepFrom;
    if (recordStart !== -1) recordStart = 0;
    const next = await iterator.next();
    if (next.done === true) return false;
    buffer += next.value;
    return true;
  };

  while (!isEnded) {
    const open = buffer.indexOf('<', position);
    const textEnd = open === -1 ? buffer.length : open;
    if (openElements.length === 0 && buffer.slice(position, textEnd).trim() !== '') {
      throw unreadable(
        hasRoot ? 'there is text after </enterprise>' : 'the input does not start with an XML element',
      );
    }
    if (open === -1) {
      position = buffer.length;
      if (!(await readMore())) isEnded = true;
      continue;
    }
    position = open;
    const markup = markupEnds.find(([start]) => buffer.startsWith(start, open));
    let end: number;
    if (markup !== undefined) {
      const close = buffer.indexOf(markup[1], open + markup[0].length);
      end = close === -1 ? -1 : close + markup[1].length - 1;
    } else if (buffer.length - open < 9 && buffer.startsWith('<!', open)) {
      end = -1;
    } else if (buffer.startsWith('<!', open)) {
      throw unreadable('the document has a DOCTYPE or other declaration, which PIFU feeds never carry');
    } else {
      end = findTagEnd(buffer, open + 1);
    }
    if (end === -1) {
      if (!(await readMore())) throw unreadable('the document ends in the middle of markup');
      continue;
    }
    position = end + 1;
    if (markup !== undefined) {
      if (markup[0] === '<?') isRecordPlain = false;
      continue;
    }

    const tag = buffer.slice(open, end + 1);
    if (tag.startsWith('</')) {
      const name = tag.slice(2, -1).trim();
      const expected = openElements.pop();
      if (expected !== name) {
        throw unreadable(`</${name.slice(0, 64)}> closes <${(expected ?? 'nothing').slice(0, 64)}>`);
      }
      if (recordStart !== -1 && isRecordPlain && !plainEndTag.test(tag)) isRecordPlain = false;
      if (openElements.length === 1 && recordStart !== -1) {
        yield {
          name: recordName,
          xml: buffer.slice(recordStart, position),
          line: lineAt(recordStart),
          hasPlainTags: isRecordPlain,
        };
        recordStart = -1;
      } else if (openElements.length === 0) {
        isRootClosed = true;
      }
      continue;
    }
    const name = /^<([^\s/>]+)/.exec(tag)?.[1];
    if (name === undefined) throw unreadable('a tag has no element name');
    if (isRootClosed) throw unreadable('there is a second root element');
    const isEmpty = tag.endsWith('/>');
    if (openElements.length === 0) {
      checkRoot(tag, name);
      hasRoot = true;
    } else if (openElements.length === 1) {
      recordName = localName(name);
      isRecordPlain = isPlainStartTag(tag);
      if (isEmpty) {
        yield { name: recordName, xml: tag, line: lineAt(open), hasPlainTags: isRecordPlain };
        continue;
      }
      recordStart = open;
    } else if (isRecordPlain && !isPlainStartTag(tag)) {
      isRecordPlain = false;
    }
    if (!isEmpty) openElements.push(name);
    if (isEmpty && openElements.length === 0) isRootClosed = true;
  }
  if (!hasRoot) throw unreadable('the input is empty');
  if (!isRootClosed) throw unreadable('the document ends before </enterprise>');
}
