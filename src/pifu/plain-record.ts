import { decodeReferences } from './xml-references.js';

/**
 * Element names fast-xml-parser refuses or renames (names of Object.prototype): a record holding one is
 * left to it, to do as it does.
 */
const specialNames = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** One attribute of a plain start tag, from where the previous one (or the name) ended. */
const attributePattern = /[ \t\r\n]+([^\s=]+)[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')/y;
const spacePattern = /[ \t\r\n]*/y;

/**
 * An element as xml-node.ts's XmlNode has it (children by local name, attributes under `@_name`, text
 * under `#text`), named here so that module can call this one.
 */
type BuiltNode = Record<string, BuiltNode[] | string>;

/** An element being built: its children by local name, its text so far, its attributes. */
interface Open {
  readonly node: BuiltNode;
  text: string;
  hasChildren: boolean;
  readonly attributes: readonly [string, string][];
}

const noAttributes: readonly [string, string][] = [];

/**
 * A value as fast-xml-parser gives it: line ends normalized (CR LF and CR to LF, as it does before it
 * parses), then references decoded; and a string of its own. A substring of 13 characters or more is
 * a view into the whole string it was cut from, here the scanner's buffer of a megabyte or two: a value
 * kept for the whole read (a group's id in the reader's map of groups) would keep its buffer alive. At
 * Oslo scale that was 24 MB more peak RSS; fast-xml-parser builds its values a character at a time, so
 * its values were strings of their own. Prepending a character makes a new string (about 0.3 µs).
 */
function textValue(raw: string): string {
  const value = decodeReferences(raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw);
  return value.length < 13 ? value : ` ${value}`.slice(1);
}

/** An element name without its prefix, as fast-xml-parser's removeNSPrefix makes it (after the first colon). */
function elementName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

/**
 * An attribute name as fast-xml-parser's removeNSPrefix makes it: namespace declarations dropped (''),
 * `prefix:name` to `name`, a name with more colons kept whole.
 */
function attributeName(qualified: string): string {
  if (!qualified.includes(':')) return qualified === 'xmlns' ? '' : qualified;
  const parts = qualified.split(':');
  if (parts[0] === 'xmlns') return '';
  return parts.length === 2 ? parts[1]! : qualified;
}

/** The attributes of a start tag from `at` (after its name); `attributePattern.lastIndex` is where they end. */
function attributesAt(xml: string, at: number): [string, string][] {
  const attributes: [string, string][] = [];
  attributePattern.lastIndex = at;
  for (let match = attributePattern.exec(xml); match !== null; match = attributePattern.exec(xml)) {
    at = attributePattern.lastIndex;
    const local = attributeName(match[1]!);
    if (local === '') continue;
    const value = textValue(match[2] ?? match[3]!);
    const index = attributes.findIndex(([seen]) => seen === `@_${local}`);
    if (index === -1) attributes.push([`@_${local}`, value]);
    else attributes[index]![1] = value;
  }
  attributePattern.lastIndex = at;
  return attributes;
}

function close(open: Open): BuiltNode {
  const { node, text } = open;
  if (text.length > 0 || !open.hasChildren) node['#text'] = text;
  for (const [name, value] of open.attributes) node[name] = value;
  return node;
}

/**
 * The node fast-xml-parser makes of a record whose tags are all plain (XmlRecord.hasPlainTags: they pair
 * up, each of the plain forms, no processing instruction) and that holds no comment or CDATA section;
 * undefined for any other record, which is then left to fast-xml-parser. The same node, built by one pass
 * of `indexOf` over the record's text: fast-xml-parser reads a record a character at a time and was most
 * of an import's time (4 MB/s at Oslo scale). test/unit/pifu/plain-record.test.ts holds the two to the
 * same nodes.
 */
export function parsePlainRecord(xml: string): BuiltNode | undefined {
  const stack: Open[] = [];
  let result: BuiltNode | undefined;
  let position = 0;
  while (position < xml.length) {
    const open = xml.indexOf('<', position);
    if (open === -1) return undefined;
    const current = stack[stack.length - 1];
    if (open > position) {
      if (current === undefined) return undefined;
      current.text += textValue(xml.slice(position, open));
    }
    const next = xml.charCodeAt(open + 1);
    if (next === 0x2f /* / */) {
      const end = xml.indexOf('>', open);
      const done = stack.pop();
      if (end === -1 || done === undefined) return undefined;
      const node = close(done);
      if (stack.length === 0) result = node;
      position = end + 1;
      continue;
    }
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */ || result !== undefined) return undefined;
    let at = open + 1;
    while (at < xml.length) {
      const code = xml.charCodeAt(at);
      if (code === 0x3e || code === 0x2f || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d)
        break;
      at++;
    }
    const name = elementName(xml.slice(open + 1, at));
    if (name === '' || specialNames.has(name)) return undefined;
    let attributes = noAttributes;
    if (xml.charCodeAt(at) !== 0x3e && xml.charCodeAt(at) !== 0x2f) {
      attributes = attributesAt(xml, at);
      spacePattern.lastIndex = attributePattern.lastIndex;
      spacePattern.exec(xml);
      at = spacePattern.lastIndex;
    }
    const isEmpty = xml.charCodeAt(at) === 0x2f;
    if (isEmpty) at++;
    if (xml.charCodeAt(at) !== 0x3e) return undefined;
    position = at + 1;
    const element: Open = { node: {}, text: '', hasChildren: false, attributes };
    if (current !== undefined) {
      current.hasChildren = true;
      const list = Object.prototype.hasOwnProperty.call(current.node, name) ? current.node[name] : undefined;
      const built = isEmpty ? close(element) : element.node;
      if (Array.isArray(list)) list.push(built);
      else current.node[name] = [built];
    }
    if (isEmpty) {
      if (current === undefined) result = close(element);
    } else {
      stack.push(element);
    }
  }
  return stack.length === 0 ? result : undefined;
}
