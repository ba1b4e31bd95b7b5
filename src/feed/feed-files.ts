import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RecipientConfig } from '../config/index.js';
import { disclosureManifestPath, formatDisclosureLine } from '../disclosure/index.js';
import { writeFileAtomically } from '../files/index.js';
import type { RecipientView } from '../profiles/index.js';
import type { HubContext } from '../run/hub-context.js';
import {
  formatStateHeader,
  formatStateLine,
  stateManifestPath,
  type DeltaCounts,
  type HeldObject,
  type ObjectType,
  type ViewBasis,
} from '../state/index.js';
import type { FeedPlan } from './feed-plan.js';
import { renderRecipientFeed } from './render-recipient-feed.js';

/**
 * A manifest's lines gathered into writes of about 64 KiB: one write per line costs a system call each,
 * and a delta passes a line for every object that changed (a full, for every object).
 */
class LineWriter {
  readonly #stream: WriteStream;
  #pending: string[] = [];
  #length = 0;

  constructor(stream: WriteStream) {
    this.#stream = stream;
  }

  async write(text: string): Promise<void> {
    this.#pending.push(text);
    this.#length += text.length;
    if (this.#length >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#length = 0;
    if (!this.#stream.write(text)) await once(this.#stream, 'drain');
  }
}

/**
 * A feed file from the recipient's view, with its disclosure and state manifests beside it; the state
 * manifest's header says what the recipient's state is the view of once it is acknowledged.
 */
export async function writeFeedFiles(
  ctx: HubContext,
  recipient: RecipientConfig,
  view: RecipientView,
  plan: Extract<FeedPlan, { mode: 'full' | 'delta' }>,
  filePath: string,
  options: {
    secret: Uint8Array | undefined;
    /** What the recipient's state is the view of once this feed is acknowledged. */
    basis: ViewBasis;
    /** Part of what the recipient holds (an incremental delta); undefined: all of it. */
    held: ((type: ObjectType) => AsyncIterable<HeldObject>) | undefined;
    signal: AbortSignal | undefined;
  },
): Promise<{ counts: DeltaCounts; written: { sizeBytes: number; sha256Hex: string } }> {
  // Manifests name every person the feed discloses: private like the feed itself.
  const disclosures = createWriteStream(disclosureManifestPath(filePath), { mode: 0o600 });
  const state = createWriteStream(stateManifestPath(filePath), { mode: 0o600 });
  const disclosureLines = new LineWriter(disclosures);
  const stateLines = new LineWriter(state);
  try {
    await stateLines.write(formatStateHeader('apply', options.basis));
    const { streams, xml } = renderRecipientFeed(ctx, recipient, view, {
      mode: plan.mode,
      ...(plan.resend === undefined ? {} : { resend: plan.resend }),
      ...(options.held === undefined ? {} : { held: options.held }),
      secret: options.secret,
      scratchDir: dirname(filePath),
      onState: (line) => stateLines.write(formatStateLine(line)),
      onDisclosure: (line) => disclosureLines.write(formatDisclosureLine(line)),
    });
    const written = await writeFileAtomically(
      filePath,
      xml,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    await disclosureLines.flush();
    await stateLines.flush();
    for (const stream of [disclosures, state]) {
      stream.end();
      await once(stream, 'close');
    }
    return { counts: { ...streams.counts }, written };
  } catch (error) {
    disclosures.destroy();
    state.destroy();
    throw error;
  }
}

export async function removeFeedFiles(filePath: string): Promise<void> {
  for (const path of [filePath, disclosureManifestPath(filePath), stateManifestPath(filePath)]) {
    await rm(path, { force: true });
  }
}
