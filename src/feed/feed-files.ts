import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RecipientConfig } from '../config/index.js';
import {
  DisclosureManifestWriter,
  disclosureManifestFiles,
  disclosureManifestPaths,
} from '../disclosure/index.js';
import { LineWriter, writeFileAtomically } from '../files/index.js';
import type { RecipientView } from '../profiles/index.js';
import type { HubContext } from '../run/hub-context.js';
import {
  formatStateHeader,
  formatStateLine,
  stateManifestPath,
  stateManifestPaths,
  type DeltaCounts,
  type HeldObject,
  type ObjectType,
  type ViewBasis,
} from '../state/index.js';
import type { FeedPlan } from './feed-plan.js';
import { renderRecipientFeed } from './render-recipient-feed.js';

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
  const disclosures = new DisclosureManifestWriter(disclosureManifestFiles(filePath));
  const stateLines = new LineWriter(stateManifestPath(filePath));
  try {
    await stateLines.write(formatStateHeader('apply', options.basis));
    const { streams, xml } = renderRecipientFeed(ctx, recipient, view, {
      mode: plan.mode,
      ...(plan.resend === undefined ? {} : { resend: plan.resend }),
      ...(options.held === undefined ? {} : { held: options.held }),
      secret: options.secret,
      scratchDir: dirname(filePath),
      onState: (line) => stateLines.write(formatStateLine(line)),
      onDisclosure: (line) => disclosures.write(line),
    });
    const written = await writeFileAtomically(
      filePath,
      xml,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    await disclosures.close();
    await stateLines.close();
    return { counts: { ...streams.counts }, written };
  } catch (error) {
    disclosures.destroy();
    stateLines.destroy();
    throw error;
  }
}

export async function removeFeedFiles(filePath: string): Promise<void> {
  for (const path of [filePath, ...disclosureManifestPaths(filePath), ...stateManifestPaths(filePath)]) {
    await rm(path, { force: true });
  }
}
