import { join } from 'node:path';
import type { Kysely } from 'kysely';
import {
  createRecordsDbSource,
  type RecordsDbDriver,
  type SourceDatabase,
} from '../connectors/sources/records-db/index.js';
import { createTransport } from '../connectors/transports/registry.js';
import { loadRecipientConfigs, type RecipientConfig } from '../src/config/index.js';
import type { HubDatabase } from '../src/db/index.js';
import { createLogger } from '../src/log/index.js';
import { findPackageRoot } from '../src/pifu/package-root.js';
import type { HubContext } from '../src/run/index.js';

/** The shipped seed recipients, delivered by file drop into the bench's own directory. */
function benchRecipients(workDir: string): RecipientConfig[] {
  return loadRecipientConfigs(join(findPackageRoot(), 'fixtures', 'recipients')).map((recipient) => ({
    ...recipient,
    transport: { kind: 'file-drop', directory: join(workDir, 'drop', recipient.id) },
  }));
}

/**
 * The context every bench process builds the same way from the same work directory, so a worker process
 * finds the run's spool and writes where the main process expects.
 */
export function benchContext(db: Kysely<HubDatabase>, workDir: string, driver?: RecordsDbDriver): HubContext {
  return {
    db,
    source: createRecordsDbSource(db as unknown as Kysely<SourceDatabase>, { source: 'pifu-hub' }, driver),
    recipients: new Map(benchRecipients(workDir).map((recipient) => [recipient.id, recipient])),
    transportFor: createTransport,
    logger: createLogger({ level: 'silent' }),
    spoolDir: join(workDir, 'spool'),
    now: () => new Date(),
  };
}
