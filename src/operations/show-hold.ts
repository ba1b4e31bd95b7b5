import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { HubError } from '../errors/index.js';
import { maskName } from '../feed/index.js';
import type { ChangeKind } from '../model/index.js';
import { readFeed } from '../pifu/index.js';
import { findTransferDetail, listHolds, type Hold } from '../transfer/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { transferIdSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { operatorText } from './operator-text.js';
import { parseInput } from './parse-input.js';

const showInput = z.strictObject({
  transfer: transferIdSchema,
  limit: z.number().int().min(1).max(10_000).default(200),
});
export type ShowHoldInput = z.input<typeof showInput>;

/** One object the held delta would add, change or delete. */
export interface HeldChange {
  readonly type: 'person' | 'group' | 'membership';
  readonly change: ChangeKind;
  /** The key the recipient knows it by (a pseudonym for pseudonymised recipients). */
  readonly key: string;
  /** Masked for operators (`Å*** N***`), plain for privacy admins; a group's short name; none for memberships. */
  readonly label?: string;
}

export interface HoldDetail {
  readonly hold: Hold;
  /** Per object type, how many of each change the held file carries. */
  readonly counts: Readonly<Record<string, Readonly<Record<ChangeKind, number>>>>;
  /** The objects (up to `limit`), for operators and privacy admins; none for viewers. */
  readonly objects: readonly HeldChange[];
  readonly truncated: boolean;
}

/**
 * What a held delta would do, read from the held file itself (viewer and up): counts per object type
 * and change, and for operators the objects with names masked (privacy admins see them plain). Showing
 * objects is a look at personal data, so it is audited.
 */
export async function showHold(
  ctx: OperationContext,
  actor: Actor,
  input: ShowHoldInput,
): Promise<HoldDetail> {
  await authorize(ctx, actor, 'viewer', 'hold-show');
  const request = parseInput(showInput, input);
  const found = (await listHolds(ctx.db, { all: true })).find((h) => h.transferId === request.transfer);
  const hold =
    found === undefined ? undefined : { ...found, decisionReason: operatorText(actor, found.decisionReason) };
  if (hold === undefined) {
    throw new HubError(
      'PIFU_HOLD_UNKNOWN',
      `no hold for transfer ${request.transfer}; \`pifu-hub holds --all\` lists every hold`,
    );
  }
  const detail = await findTransferDetail(ctx.db, request.transfer);
  if (detail?.filePath == null) {
    throw new HubError(
      'PIFU_SPOOL_MISSING',
      `the held feed of ${request.transfer} is no longer in the spool`,
    );
  }
  const filePath = detail.filePath;
  const showObjects = actor.roles.has('operator') || actor.roles.has('privacy-admin');
  const plain = actor.roles.has('privacy-admin');
  const read = async (): Promise<HoldDetail> => {
    const counts: Record<string, Record<ChangeKind, number>> = {};
    const objects: HeldChange[] = [];
    let truncated = false;
    const note = (entry: HeldChange): void => {
      const perType = (counts[entry.type] ??= { add: 0, change: 0, delete: 0 });
      perType[entry.change] += 1;
      if (!showObjects) return;
      if (objects.length < request.limit) objects.push(entry);
      else truncated = true;
    };
    const feed = await readFeed(createReadStream(filePath));
    for await (const { object, change = 'add' } of feed.persons()) {
      note({
        type: 'person',
        change,
        key: object.key,
        label: plain ? nameOf(object.name) : maskName(object.name),
      });
    }
    for await (const { object, change = 'add' } of feed.groups()) {
      note({ type: 'group', change, key: object.key, label: object.shortName });
    }
    for await (const { object, change = 'add' } of feed.memberships()) {
      note({ type: 'membership', change, key: `${object.groupKey}/${object.personKey}/${object.role}` });
    }
    return { hold, counts, objects, truncated };
  };
  if (!showObjects) return read();
  return audited(ctx, actor, 'hold-show', async (trail) => {
    trail.subject = request.transfer;
    trail.detail = plain ? 'objects shown in full' : 'objects shown masked';
    return read();
  });
}

/** The name as written; a delete record carries none, so it shows as empty, as its masked form does. */
function nameOf(name: { given: string; family: string; middle?: string }): string {
  return [name.given, name.middle, name.family]
    .filter((part): part is string => part !== undefined && part !== '')
    .join(' ');
}
