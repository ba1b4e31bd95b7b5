import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { HubError } from '../errors/index.js';

/**
 * An element as fast-xml-parser gives it with the options below: every child element in an array under its
 * local name, attributes under `@_name`, text under `#text`.
 */
export interface XmlNode {
  readonly [key: string]: XmlNode[] | string | undefined;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  alwaysCreateTextNode: true,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
  // Names and addresses keep their own spaces; xs:string preserves whitespace.
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  // The parser resolves no entity of any kind; `decodeReferences` below turns the five predefined
  // ones and character references (`&#13;`, which the writer uses for tab, LF and CR) into text. The
  // input guard has refused every other `&` before a record gets here.
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_name, value) => decodeReferences(value),
  attributeValueProcessor: (_name, value) => decodeReferences(value),
});

const predefined: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Replaces `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` and `&#…;` / `&#x…;`; anything else stays as written. */
function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (whole, name: string) => {
    if (!name.startsWith('#')) return predefined[name] ?? whole;
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code <= 0x10ffff && code !== 0 ? String.fromCodePoint(code) : whole;
  });
}

/** Parses one record cut out by the scanner into its element node. */
export function parseRecord(xml: string, name: string, line?: number): XmlNode {
  const check = XMLValidator.validate(xml);
  if (check !== true) {
    const where =
      line === undefined ? `line ${check.err.line} of the record` : `line ${line + check.err.line - 1}`;
    throw new HubError(
      'PIFU_XML_UNREADABLE',
      `a <${name}> record is not well-formed XML (${check.err.code} at ${where})`,
    );
  }
  const document = parser.parse(xml) as XmlNode;
  const element = children(document, name)[0];
  if (element === undefined) throw new HubError('PIFU_XML_UNREADABLE', `a <${name}> record is empty`);
  return element;
}

export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? value : [];
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

export function textOf(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  const text = node['#text'];
  return typeof text === 'string' ? text : '';
}

export function childText(node: XmlNode | undefined, name: string): string | undefined {
  return textOf(child(node, name));
}

export function attribute(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}
