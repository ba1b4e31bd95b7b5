import { TextDecoder } from 'node:util';
import type { Group, Membership } from '../model/index.js';
import { HubError, isHubError } from '../errors/index.js';
import type { FeedDocument } from './feed-document.js';
import type { FeedPerson } from './feed-person.js';
import type { FeedEntry } from './feed-input.js';
import { guardChunks, refusedInput } from './guarded-input.js';
import { InputGuard } from './input-guard.js';
import { InputRefusal, type InputLimits } from './input-limits.js';
import { formerIds, ownId } from './parse-common-elements.js';
import { groupTypeCodeDiffers, parseGroup } from './parse-group.js';
import { parseMembership } from './parse-membership.js';
import { parsePerson } from './parse-person.js';
import { parseProperties } from './parse-properties.js';
import { scanRecords, type XmlRecord } from './record-scanner.js';
import { foreignSourcedids, type ForeignSourcedid } from './sourcedid-sources.js';
import { countWithheld, type WithheldKind } from './withheld-elements.js';
import { parseRecord, parseRecords, type ParsedRecord, type XmlNode } from './xml-node.js';

export type FeedSource = AsyncIterable<Buffer> | Buffer | string;

export interface ReadOptions {
  /** How the input is named in a refusal (a path); default `the input`. */
  readonly name?: string;
  readonly limits?: InputLimits;
  /** Bytes already checked by the caller's own InputGuard (openGuardedFile). */
  readonly guarded?: InputGuard;
  /**
   * Given, a well-formed record the mapping cannot read (a person without a name, a group of a type PIFU
   * 1.3 does not know) is reported here and skipped instead of ending the read. The message carries no
   * value. A record that is not well-formed XML (a tag left open, an attribute given twice) always ends
   * the read: that is not one object the mapping cannot read but a file that is not XML.
   */
  readonly onUnreadableRecord?: (problem: UnreadableRecord) => void;
  /** Given, each sourcedid of a read record whose `source` is not the file's datasource is told here. */
  readonly onForeignSourcedid?: (found: ForeignSourcedid) => void;
  /** Given, each group whose grouptype scheme or level is not the spec's for its typevalue is told here. */
  readonly onGroupTypeCode?: (found: { readonly id: string; readonly line: number }) => void;
}

export interface UnreadableRecord {
  readonly name: string;
  readonly line: number;
  readonly message: string;
}

/** An entry as read, with where it was and what the reader left out of it. */
export type ReadEntry<T> = FeedEntry<T> & {
  readonly line: number;
  /** `sourcedidtype="Old"` ids of the object: the ids it had before. */
  readonly formerIds: readonly string[];
  /** Elements dropped at the door (docs/requirements.md#r1), one per occurrence. */
  readonly withheld: readonly WithheldKind[];
};

async function* bytesOf(source: FeedSource): AsyncGenerator<Buffer> {
  if (typeof source === 'string') yield Buffer.from(source, 'utf8');
  else if (Buffer.isBuffer(source)) yield source;
  else yield* source;
}

async function* decodeChunks(source: FeedSource, options: ReadOptions): AsyncGenerator<string> {
  const name = options.name ?? 'the input';
  const guard = options.guarded ?? new InputGuard(options.limits);
  const bytes = options.guarded === undefined ? guardChunks(bytesOf(source), guard, name) : bytesOf(source);
  let decoder: TextDecoder | undefined;
  for await (const chunk of bytes) {
    if (guard.encoding === 'latin1') {
      yield chunk.toString('latin1');
      continue;
    }
    // The guard checked the bytes are UTF-8; the decoder still refuses what it cannot decode.
    decoder ??= new TextDecoder('utf-8', { fatal: true });
    yield decodeUtf8(decoder, name, chunk);
  }
  if (decoder !== undefined) yield decodeUtf8(decoder, name);
}

function decodeUtf8(decoder: TextDecoder, name: string, chunk?: Buffer): string {
  try {
    return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
  } catch {
    throw refusedInput(name, new InputRefusal('the file is not valid UTF-8'));
  }
}

/** Records parsed per call to the XML parser, and the characters a batch of several may reach. */
const batchRecords = 32;
const batchChars = 256 * 1024;

/** Spec 2.1: persons, then groups, then memberships. */
const stageOfRecord: Readonly<Record<string, number>> = { person: 0, group: 1, membership: 2 };

export interface DetailedFeedDocument {
  readonly properties: FeedDocument['properties'];
  persons(): AsyncIterable<ReadEntry<FeedPerson>>;
  groups(): AsyncIterable<ReadEntry<Group>>;
  memberships(): AsyncIterable<ReadEntry<Membership>>;
}

/**
 * Reads a PIFU-IMS feed as `readFeed` does, and says for each entry the line it starts on, the ids it
 * had before (`sourcedidtype="Old"`) and which withheld elements it carried. For importing files from
 * outside, where a report must point at objects.
 */
export async function readFeedDetailed(
  source: FeedSource,
  options: ReadOptions = {},
): Promise<DetailedFeedDocument> {
  const records = scanRecords(decodeChunks(source, options));
  let first = await records.next();
  if (first.done !== true && first.value.name === 'comments') first = await records.next();
  if (first.done === true || first.value.name !== 'properties') {
    throw new HubError('PIFU_XML_UNREADABLE', '<enterprise> does not start with <properties> (spec 2.1)');
  }
  const properties = parseProperties(parseRecord(first.value.xml, 'properties'));

  // Records are parsed in batches of one kind (fast-xml-parser's setup per call was most of the reading
  // time); a batch takes records until it holds `batchRecords` of them or `batchChars` characters, so
  // memory stays bounded by one batch (at most `batchChars` plus one record), not the feed. What the
  // scanner or the order check throws while a batch is filled is thrown only once the records before it
  // have been read, as when records were parsed one by one.
  let queue: { readonly record: XmlRecord; readonly parsed: ParsedRecord }[] = [];
  let queued = 0;
  let carried: XmlRecord | undefined;
  let deferred: { readonly error: unknown } | undefined;
  let lastRecordStage = 0;
  let streamStage = 0;

  async function scanned(): Promise<XmlRecord | undefined> {
    const next = await records.next();
    if (next.done === true) return undefined;
    const stage = stageOfRecord[next.value.name];
    if (stage === undefined) {
      throw new HubError(
        'PIFU_XML_UNREADABLE',
        `<enterprise> holds a <${next.value.name.slice(0, 64)}> after <properties> (line ${next.value.line})`,
      );
    }
    if (stage < lastRecordStage) {
      throw new HubError(
        'PIFU_XML_UNREADABLE',
        `a <${next.value.name}> comes after later records (line ${next.value.line}); spec 2.1 fixes the order`,
      );
    }
    lastRecordStage = stage;
    return next.value;
  }

  /** The next record with its node, without taking it; undefined at the end. */
  async function peek(): Promise<{ readonly record: XmlRecord; readonly parsed: ParsedRecord } | undefined> {
    if (queued < queue.length) return queue[queued];
    queue = [];
    queued = 0;
    if (deferred !== undefined) throw deferred.error;
    const batch: XmlRecord[] = [];
    let chars = 0;
    if (carried !== undefined) {
      batch.push(carried);
      chars += carried.xml.length;
      carried = undefined;
    }
    while (batch.length < batchRecords && chars < batchChars) {
      let record: XmlRecord | undefined;
      try {
        record = await scanned();
      } catch (error) {
        deferred = { error };
        break;
      }
      if (record === undefined) break;
      if (batch.length > 0 && record.name !== batch[0]!.name) {
        carried = record;
        break;
      }
      batch.push(record);
      chars += record.xml.length;
    }
    if (batch.length === 0) {
      if (deferred !== undefined) throw deferred.error;
      return undefined;
    }
    const parsed = parseRecords(batch);
    queue = batch.map((record, i) => ({ record, parsed: parsed[i]! }));
    return queue[0];
  }

  async function* stream<T>(
    stage: number,
    parse: (node: XmlNode, index: number) => readonly FeedEntry<T>[],
  ): AsyncGenerator<ReadEntry<T>> {
    if (stage < streamStage) throw new Error('read a feed document in order: persons, groups, memberships');
    streamStage = stage;
    let index = 0;
    for (let next = await peek(); next !== undefined; next = await peek()) {
      const { record, parsed } = next;
      const recordStage = stageOfRecord[record.name] ?? 0;
      if (recordStage > stage) return;
      queued++;
      if (recordStage < stage) continue;
      index++;
      // A record that is not well-formed XML ends the read whatever the caller tolerates: the file is
      // not XML, so nothing in it can be trusted to be what it seems (a validator refuses it too).
      // Only a well-formed record the mapping cannot read is the caller's to skip.
      if ('error' in parsed) throw parsed.error;
      const node = parsed.node;
      let entries: readonly FeedEntry<T>[];
      try {
        entries = parse(node, index);
      } catch (error) {
        if (options.onUnreadableRecord === undefined || !isHubError(error)) throw error;
        options.onUnreadableRecord({ name: record.name, line: record.line, message: error.message });
        continue;
      }
      const foreign = options.onForeignSourcedid;
      if (foreign !== undefined) {
        for (const found of foreignSourcedids(node, record.name, properties.datasource, record.line)) {
          foreign(found);
        }
      }
      if (stage === 1 && options.onGroupTypeCode !== undefined && groupTypeCodeDiffers(node)) {
        options.onGroupTypeCode({ id: ownId(node) ?? '', line: record.line });
      }
      const withheld = countWithheld(record.xml);
      const former = stage === 2 ? [] : formerIds(node);
      for (const entry of entries) yield { ...entry, line: record.line, formerIds: former, withheld };
    }
  }

  return {
    properties,
    persons: () => stream<FeedPerson>(0, (node, index) => [parsePerson(node, index)]),
    groups: () => stream<Group>(1, (node, index) => [parseGroup(node, index)]),
    memberships: () => stream<Membership>(2, parseMembership),
  };
}

async function* plain<T>(entries: AsyncIterable<ReadEntry<T>>): AsyncGenerator<FeedEntry<T>> {
  for await (const entry of entries) {
    yield entry.change === undefined
      ? { object: entry.object }
      : { object: entry.object, change: entry.change };
  }
}

/**
 * Reads a PIFU-IMS feed: ours, or anyone's (the official examples with their comments, results, absences,
 * photos and urls). What maps to the model is returned; elements the model has no place for are skipped.
 * The bytes pass the input guard first (no DOCTYPE, no entity but the predefined ones, UTF-8 or declared
 * ISO-8859-1, size and depth limits); records are then cut out of the text and parsed a batch at a time
 * (those of plain tags by plain-record.ts, any other with fast-xml-parser), so memory is bounded by a batch (32 records or 256 KiB of text, plus one record), not
 * the feed. Element prefixes are accepted; the root must be `enterprise` in the PIFU namespace.
 *
 * Throws HubError `PIFU_FILE_REFUSED` for input the guard refuses, `PIFU_XML_UNREADABLE` for input that
 * is not PIFU XML or breaks a rule the mapping depends on (a person without a name, a role without a
 * roletype).
 */
export async function readFeed(source: FeedSource, options: ReadOptions = {}): Promise<FeedDocument> {
  const document = await readFeedDetailed(source, options);
  return {
    properties: document.properties,
    persons: () => plain(document.persons()),
    groups: () => plain(document.groups()),
    memberships: () => plain(document.memberships()),
  };
}
