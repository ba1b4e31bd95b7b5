import { createHash } from 'node:crypto';
import type { RecipientConfig } from '../config/index.js';
import { writeFileAtomically } from '../files/index.js';
import type { FeedType, Roster } from '../model/index.js';
import type { HubContext } from '../run/hub-context.js';
import { findRecipientState, type DeltaCounts } from '../state/index.js';
import { recipientView, renderRecipientFeed, type ViewInputs } from './render-recipient-feed.js';

export interface PreviewedFeed {
  /** What the recipient would get: a requested delta is a full while it holds nothing yet. */
  readonly feedType: FeedType;
  readonly counts: Readonly<DeltaCounts>;
  readonly sizeBytes: number;
  readonly sha256Hex: string;
  /** Where the file was written, when it was. */
  readonly filePath?: string;
}

const ignore = async (): Promise<void> => undefined;

/**
 * The feed a recipient would get from `roster` now — the same bytes a run would write, full or delta
 * against what it holds — without recording anything: no feed, transfer, state or disclosure row, no
 * manifest. Written to `filePath` (mode 0600) when given, otherwise only counted and hashed.
 */
export async function previewRecipientFeed(
  ctx: Pick<HubContext, 'db' | 'spoolDir'>,
  recipient: RecipientConfig,
  roster: Roster,
  options: {
    feedType: FeedType;
    inputs: ViewInputs;
    filePath?: string;
    signal?: AbortSignal;
  },
): Promise<PreviewedFeed> {
  const state = await findRecipientState(ctx.db, recipient.id);
  const mode =
    options.feedType === 'delta' && state !== undefined && recipient.feed.accepts.includes('delta')
      ? 'delta'
      : 'full';
  const view = await recipientView(recipient, roster, options.inputs);
  const { streams, xml } = renderRecipientFeed(ctx, recipient, view, {
    mode,
    secret: options.inputs.pseudonymKey,
    scratchDir: ctx.spoolDir,
    onState: ignore,
    onDisclosure: ignore,
  });
  if (options.filePath !== undefined) {
    const written = await writeFileAtomically(options.filePath, xml, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      mode: 0o600,
    });
    return { feedType: mode, counts: { ...streams.counts }, ...written, filePath: written.path };
  }
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of xml) {
    options.signal?.throwIfAborted();
    const bytes = Buffer.from(chunk, 'utf8');
    hash.update(bytes);
    sizeBytes += bytes.length;
  }
  return { feedType: mode, counts: { ...streams.counts }, sizeBytes, sha256Hex: hash.digest('hex') };
}
