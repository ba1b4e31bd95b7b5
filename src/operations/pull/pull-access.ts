import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { recordAudit, type AuditAction } from '../../audit/index.js';
import type { RecipientConfig } from '../../config/index.js';
import { HubError } from '../../errors/index.js';
import type { PullOffer } from '../../transfer/index.js';
import type { Actor } from '../actor.js';
import type { OperationContext } from '../operation-context.js';

/** What a recipient learns of a feed it may fetch: enough to store and verify it, no paths. */
export interface PullFeed {
  readonly transferId: string;
  readonly recipientId: string;
  readonly status: 'offered' | 'delivered';
  readonly feedType: 'full' | 'delta';
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly sha256Hex: string;
  /** The strong entity tag of the feed: its sha-256, quoted. */
  readonly etag: string;
  /** Where this feed stays fetchable by its transfer id. */
  readonly location: string;
  readonly offeredAt: Date | null;
}

/** A fetch: nothing waiting, the same feed the client already has, or the feed with its bytes. */
export type PullAnswer =
  | { readonly status: 'none' }
  | { readonly status: 'not-modified'; readonly feed: PullFeed }
  | { readonly status: 'feed'; readonly feed: PullFeed; readonly body: Readable };

export function describePullFeed(offer: PullOffer): PullFeed {
  return {
    transferId: offer.transferId,
    recipientId: offer.recipientId,
    status: offer.status,
    feedType: offer.feedType,
    fileName: offer.fileName,
    sizeBytes: offer.sizeBytes,
    sha256Hex: offer.sha256Hex,
    etag: `"${offer.sha256Hex}"`,
    location: `/feeds/${offer.recipientId}/${offer.transferId}`,
    offeredAt: offer.offeredAt,
  };
}

/**
 * Only a recipient's own token reaches its feeds. Anyone else (another recipient's token, an operator
 * token) is told there is no such feed, not that it is forbidden, so a token cannot learn which
 * recipients pull; the attempt is audited as denied all the same, so probing leaves a trace.
 */
export async function pullRecipient(
  ctx: OperationContext,
  actor: Actor,
  recipientId: string,
  action: AuditAction,
): Promise<RecipientConfig> {
  const recipient = ctx.recipients.get(recipientId);
  if (actor.recipientId === recipientId && recipient?.transport.kind === 'pull') return recipient;
  await recordAudit(ctx.db, {
    actor: actor.name,
    action,
    outcome: 'denied',
    detail: "not this recipient's pull token",
    source: actor.source,
  });
  throw noSuchFeed(recipientId);
}

export function noSuchFeed(recipientId: string, transferId?: string): HubError {
  return new HubError(
    'PIFU_FEED_UNKNOWN',
    transferId === undefined
      ? `no feeds for "${recipientId}" with this token`
      : `no feed ${transferId} for "${recipientId}" with this token; GET /feeds/${recipientId}/next names the one waiting`,
  );
}

/** Whether `If-None-Match` names this entity tag (a list, weak tags, or `*`; RFC 9110 13.1.2). */
export function matchesEntityTag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/** Opens the feed file now, so a file gone from the spool is an error before any byte is promised. */
export async function openFeedFile(offer: PullOffer): Promise<Readable> {
  let handle: FileHandle;
  try {
    handle = await open(offer.filePath, 'r');
  } catch (error) {
    throw new HubError(
      'PIFU_SPOOL_MISSING',
      `the feed of ${offer.transferId} is no longer in the spool (spool retention?); ask the hub's operators for a new run`,
      { cause: error },
    );
  }
  // 64 KiB reads (the default): many concurrent pulls share the process fairly, in bounded memory.
  return handle.createReadStream();
}
