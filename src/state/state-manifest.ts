import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { GroupDetail, ObjectType } from './held-object.js';

/**
 * How a written feed will change the recipient's delivered state once it is acknowledged: a sidecar
 * beside the feed, like the disclosure manifest, so the acknowledgement transaction can apply it without
 * holding anything in memory. A full feed replaces the state; a delta applies upserts and deletes.
 */
export type StateMode = 'replace' | 'apply';

export type StateLine =
  | {
      readonly op: 'upsert';
      readonly type: ObjectType;
      readonly key: string;
      readonly hash: string;
      readonly detail?: GroupDetail;
    }
  | { readonly op: 'delete'; readonly type: ObjectType; readonly key: string };

export function stateManifestPath(feedPath: string): string {
  return `${feedPath}.state.ndjson`;
}

export function formatStateHeader(mode: StateMode): string {
  return `${JSON.stringify({ mode })}\n`;
}

export function formatStateLine(line: StateLine): string {
  return line.op === 'upsert'
    ? `${JSON.stringify(['u', line.type, line.key, line.hash, ...(line.detail === undefined ? [] : [line.detail])])}\n`
    : `${JSON.stringify(['d', line.type, line.key])}\n`;
}

export interface StateManifest {
  readonly mode: StateMode;
  readonly lines: AsyncIterable<StateLine>;
}

export async function openStateManifest(path: string): Promise<StateManifest> {
  const reader = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const iterator = reader[Symbol.asyncIterator]();
  const header = await iterator.next();
  const mode = header.done === true ? undefined : (JSON.parse(header.value) as { mode?: StateMode }).mode;
  if (mode !== 'replace' && mode !== 'apply') throw new TypeError(`${path} has no state manifest header`);
  return {
    mode,
    lines: (async function* () {
      for (let line = await iterator.next(); line.done !== true; line = await iterator.next()) {
        if (line.value === '') continue;
        const parsed = JSON.parse(line.value) as
          ['u', ObjectType, string, string, GroupDetail?] | ['d', ObjectType, string];
        if (parsed[0] === 'u') {
          const [, type, key, hash, detail] = parsed;
          yield detail === undefined
            ? { op: 'upsert', type, key, hash }
            : { op: 'upsert', type, key, hash, detail };
        } else {
          yield { op: 'delete', type: parsed[1], key: parsed[2] };
        }
      }
    })(),
  };
}
