import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { HubError } from '../errors/index.js';
import { parsePlainRecord } from './plain-record.js';
import type { XmlRecord } from './record-scanner.js';
import { decodeReferences } from './xml-references.js';

/**
 * An element as fast-xml-parser gives it with the options below: every child element in an array under its
 * local name, attributes under `@_name`, text under `#text`.
 */
export interface XmlNode {
  readonly [key: string]: XmlNode[] | string | undefined;
}

const options = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  alwaysCreateTextNode: true,
  // Names and addresses keep their own spaces; xs:string preserves whitespace.
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  // The parser resolves no entity of any kind; `decodeReferences` (xml-references.ts) turns the five predefined
  // ones and character references (`&#13;`, which the writer uses for tab, LF and CR) into text. The
  // input guard has refused every other `&` before a record gets here.
  processEntities: false,
  htmlEntities: false,
} as const;

/** One record per call: the reference for `parseRecords`, and what a batch falls back to. */
const parser = new XMLParser({
  ...options,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
  tagValueProcessor: (_name, value) => decodeReferences(value),
  attributeValueProcessor: (_name, value) => decodeReferences(value),
});

/**
 * Many records per call. The profile of the per-record parser was its setup per call and the tree
 * compression with its path strings (`jPath`); this one returns fast-xml-parser's ordered entries, which
 * `toNode` turns into the very nodes `parser` gives, decoding references as its value processors do.
 */
const batchParser = new XMLParser({ ...options, preserveOrder: true, jPath: false });

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

/** A record's node, or why it could not be parsed (thrown when the record is reached, as before). */
export type ParsedRecord = { readonly node: XmlNode } | { readonly error: unknown };

/** An entry of fast-xml-parser's ordered output: `{ name: entries, ':@'?: attributes }` or `{ '#text': text }`. */
type OrderedEntry = Readonly<Record<string, unknown>>;

/**
 * Parses records cut out by the scanner: those of plain tags without comments or CDATA by
 * parsePlainRecord, the rest with fast-xml-parser in one call (one validator pass, one parser run),
 * wrapped in a synthetic parent. Well-formed records, each alone, make a well-formed batch and the same
 * nodes as `parseRecord`; if the batch fails anywhere, every record of it is parsed alone, so a malformed
 * record gets the very refusal (code and line) `parseRecord` gives it, and its neighbours are unaffected.
 */
export function parseRecords(records: readonly XmlRecord[]): ParsedRecord[] {
  const parsed: (ParsedRecord | undefined)[] = records.map((record) => {
    const node = record.hasPlainTags ? parsePlainRecord(record.xml) : undefined;
    return node === undefined ? undefined : { node };
  });
  const rest = records.filter((_record, i) => parsed[i] === undefined);
  if (rest.length === 0) return parsed as ParsedRecord[];
  const restParsed = parseWithParser(rest);
  let next = 0;
  return parsed.map((done) => done ?? restParsed[next++]!);
}

function parseWithParser(records: readonly XmlRecord[]): ParsedRecord[] {
  if (records.length > 1) {
    const nodes = parseBatch(records);
    if (nodes !== undefined) return nodes.map((node) => ({ node }));
  }
  return records.map((record) => {
    try {
      return { node: parseRecord(record.xml, record.name, record.line) };
    } catch (error) {
      return { error };
    }
  });
}

const batchName = 'pifu-hub-batch';

function parseBatch(records: readonly XmlRecord[]): XmlNode[] | undefined {
  const xml = `<${batchName}>${records.map((record) => record.xml).join('')}</${batchName}>`;
  // The validator finds nothing to refuse in records of plain tags (see XmlRecord.hasPlainTags): their
  // tags pair up, their names, attributes and references are of the forms it accepts.
  const isPlain = records.every((record) => record.hasPlainTags);
  if (!isPlain && XMLValidator.validate(xml) !== true) return undefined;
  let document: OrderedEntry[];
  try {
    document = batchParser.parse(xml) as OrderedEntry[];
  } catch {
    return undefined;
  }
  const entries = document.length === 1 ? document[0]![batchName] : undefined;
  if (!Array.isArray(entries) || entries.length !== records.length) return undefined;
  const nodes: XmlNode[] = [];
  for (let i = 0; i < records.length; i++) {
    const entry = entries[i] as OrderedEntry;
    const name = entryName(entry);
    if (name !== records[i]!.name) return undefined;
    nodes.push(
      toNode(entry[name] as OrderedEntry[], entry[':@'] as Readonly<Record<string, string>> | undefined),
    );
  }
  return nodes;
}

function entryName(entry: OrderedEntry): string | undefined {
  for (const key in entry) if (key !== ':@') return key;
  return undefined;
}

/** What fast-xml-parser's tree compression makes of an element, with the options of `parser`. */
function toNode(
  entries: readonly OrderedEntry[],
  attributes: Readonly<Record<string, string>> | undefined,
): XmlNode {
  const node: Record<string, XmlNode[] | string> = {};
  let text: string | undefined;
  for (const entry of entries) {
    const name = entryName(entry);
    if (name === undefined) continue;
    if (name === '#text') {
      const piece = decodeReferences(String(entry[name]));
      text = text === undefined ? piece : text + piece;
      continue;
    }
    const element = toNode(
      entry[name] as OrderedEntry[],
      entry[':@'] as Readonly<Record<string, string>> | undefined,
    );
    const list = Object.prototype.hasOwnProperty.call(node, name) ? node[name] : undefined;
    if (Array.isArray(list)) list.push(element);
    else node[name] = [element];
  }
  if (text !== undefined && text.length > 0) node['#text'] = text;
  else if (Object.keys(node).length === 0) node['#text'] = '';
  if (attributes !== undefined) {
    for (const name in attributes) node[name] = decodeReferences(attributes[name]!);
  }
  return node;
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
