import { readLineBatches } from '../files/index.js';
import type { GroupDetail, ObjectType } from './held-object.js';
import type { ViewBasis } from './view-basis.js';

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
      /** A person's input hash (HeldObject.inputHash). */
      readonly inputHash?: string;
    }
  | { readonly op: 'delete'; readonly type: ObjectType; readonly key: string };

export function stateManifestPath(feedPath: string): string {
  return `${feedPath}.state.ndjson`;
}

/** The header; `view`: what the state is the view of once the manifest is applied (see ViewBasis). */
export function formatStateHeader(mode: StateMode, view?: ViewBasis): string {
  return `${JSON.stringify(view === undefined ? { mode } : { mode, view })}\n`;
}

/** `["u", type, key, hash]`, then the detail (or null) when there is a detail or an input hash, then that. */
export function formatStateLine(line: StateLine): string {
  if (line.op === 'delete') return `${JSON.stringify(['d', line.type, line.key])}\n`;
  const tail =
    line.inputHash !== undefined
      ? [line.detail ?? null, line.inputHash]
      : line.detail !== undefined
        ? [line.detail]
        : [];
  return `${JSON.stringify(['u', line.type, line.key, line.hash, ...tail])}\n`;
}

export interface StateManifest {
  readonly mode: StateMode;
  readonly view?: ViewBasis;
  /** The lines after the header, a batch at a time (see readLineBatches). */
  readonly batches: AsyncIterable<readonly StateLine[]>;
}

export async function openStateManifest(path: string): Promise<StateManifest> {
  const reader = readLineBatches(path);
  const first = await reader.next();
  const lines = first.done === true ? [] : first.value;
  const header = lines[0];
  const parsed =
    header === undefined ? undefined : (JSON.parse(header) as { mode?: StateMode; view?: ViewBasis });
  const mode = parsed?.mode;
  if (mode !== 'replace' && mode !== 'apply') {
    await reader.return(undefined);
    throw new TypeError(`${path} has no state manifest header`);
  }
  return {
    mode,
    ...(parsed?.view === undefined ? {} : { view: parsed.view }),
    batches: (async function* () {
      yield lines.slice(1).map(parseStateLine);
      for await (const batch of reader) yield batch.map(parseStateLine);
    })(),
  };
}

function parseStateLine(text: string): StateLine {
  const parsed = JSON.parse(text) as
    ['u', ObjectType, string, string, (GroupDetail | null)?, string?] | ['d', ObjectType, string];
  if (parsed[0] === 'u') {
    const [, type, key, hash, detail, inputHash] = parsed;
    return {
      op: 'upsert',
      type,
      key,
      hash,
      ...(detail === undefined || detail === null ? {} : { detail }),
      ...(inputHash === undefined ? {} : { inputHash }),
    };
  }
  return { op: 'delete', type: parsed[1], key: parsed[2] };
}
