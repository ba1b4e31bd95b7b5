import { TextDecoder } from 'node:util';
import type { Group, Membership } from '../model/index.js';
import { HubError } from '../errors/index.js';
import type { FeedDocument } from './feed-document.js';
import type { FeedPerson } from './feed-person.js';
import type { FeedEntry } from './feed-input.js';
import { parseGroup } from './parse-group.js';
import { parseMembership } from './parse-membership.js';
import { parsePerson } from './parse-person.js';
import { parseProperties } from './parse-properties.js';
import { scanRecords, type XmlRecord } from './record-scanner.js';
import { parseRecord, type XmlNode } from './xml-node.js';

export type FeedSource = AsyncIterable<string | Buffer> | string;

function decodeUtf8(decoder: TextDecoder, chunk?: Buffer): string {
  try {
    return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
  } catch (error) {
    throw new HubError('PIFU_XML_UNREADABLE', 'the input is not valid UTF-8, which PIFU feeds must be', {
      cause: error,
    });
  }
}

async function* decodeChunks(source: FeedSource): AsyncGenerator<string> {
  if (typeof source === 'string') {
    yield source.startsWith('\uFEFF') ? source.slice(1) : source;
    return;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of source) yield typeof chunk === 'string' ? chunk : decodeUtf8(decoder, chunk);
  yield decodeUtf8(decoder);
}

/** Spec 2.1: persons, then groups, then memberships. */
const stageOfRecord: Readonly<Record<string, number>> = { person: 0, group: 1, membership: 2 };

/**
 * Reads a PIFU-IMS feed: ours, or anyone's (the official examples with their comments, results, absences,
 * photos and urls). What maps to the model is returned; elements the model has no place for are skipped.
 * Records are cut out of the text stream one at a time and parsed with fast-xml-parser, so memory is
 * bounded by the largest record, not the feed. Element prefixes are accepted; the root must be
 * `enterprise` in the PIFU namespace.
 *
 * Throws HubError `PIFU_XML_UNREADABLE` for input that is not UTF-8 XML, not PIFU, or breaks a rule the
 * mapping depends on (a person without a name, a role without a roletype).
 */
export async function readFeed(source: FeedSource): Promise<FeedDocument> {
  const records = scanRecords(decodeChunks(source));
  let first = await records.next();
  if (first.done !== true && first.value.name === 'comments') first = await records.next();
  if (first.done === true || first.value.name !== 'properties') {
    throw new HubError('PIFU_XML_UNREADABLE', '<enterprise> does not start with <properties> (spec 2.1)');
  }
  const properties = parseProperties(parseRecord(first.value.xml, 'properties'));

  let pending: XmlRecord | undefined;
  let lastRecordStage = 0;
  let streamStage = 0;

  async function nextRecord(): Promise<XmlRecord | undefined> {
    if (pending !== undefined) {
      const record = pending;
      pending = undefined;
      return record;
    }
    const next = await records.next();
    if (next.done === true) return undefined;
    const stage = stageOfRecord[next.value.name];
    if (stage === undefined) {
      throw new HubError(
        'PIFU_XML_UNREADABLE',
        `<enterprise> holds a <${next.value.name.slice(0, 64)}> after <properties>`,
      );
    }
    if (stage < lastRecordStage) {
      throw new HubError(
        'PIFU_XML_UNREADABLE',
        `a <${next.value.name}> comes after later records; spec 2.1 fixes the order`,
      );
    }
    lastRecordStage = stage;
    return next.value;
  }

  async function* stream<T>(
    stage: number,
    parse: (node: XmlNode, index: number) => readonly FeedEntry<T>[],
  ): AsyncGenerator<FeedEntry<T>> {
    if (stage < streamStage) throw new Error('read a feed document in order: persons, groups, memberships');
    streamStage = stage;
    let index = 0;
    for (let record = await nextRecord(); record !== undefined; record = await nextRecord()) {
      const recordStage = stageOfRecord[record.name] ?? 0;
      if (recordStage > stage) {
        pending = record;
        return;
      }
      if (recordStage < stage) continue;
      index++;
      yield* parse(parseRecord(record.xml, record.name), index);
    }
  }

  return {
    properties,
    persons: () => stream<FeedPerson>(0, (node, index) => [parsePerson(node, index)]),
    groups: () => stream<Group>(1, (node, index) => [parseGroup(node, index)]),
    memberships: () => stream<Membership>(2, parseMembership),
  };
}
