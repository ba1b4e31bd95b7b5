import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import {
  createRecordsDbSource,
  type RecordsDbDriver,
  type SourceDatabase,
} from '../../connectors/sources/records-db/index.js';
import { createTransport } from '../../connectors/transports/registry.js';
import {
  generateMunicipality,
  loadMunicipality,
  type MunicipalityScale,
  type RecordsStoreConnection,
} from '../../fixtures/generator/index.js';
import { inProcessRunExecutor } from '../../jobs/run-executors.js';
import { parseRecipientConfig, type OperatorRole, type RecipientConfig } from '../../src/config/index.js';
import type { Actor, OperationContext } from '../../src/operations/index.js';
import type { RecipientKind } from '../../src/profiles/index.js';
import { poolOf, type HubDatabase } from '../../src/db/index.js';
import { createLogger, type Logger } from '../../src/log/index.js';
import type { TransportFactory } from '../../src/ports/index.js';
import type { HubContext } from '../../src/run/index.js';
import { scratchDir } from './scratch-dir.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** The COPY driver for a test database on PostgreSQL (the production path); none for PGlite. */
function driverOf(db: object): RecordsDbDriver | undefined {
  const pool = poolOf(db);
  return pool === undefined ? undefined : { pool };
}

/** Captured log lines, parsed as JSON (pino's own `sink()` test pattern). */
export function captureLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((line) => line !== ''),
      );
      callback();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

/** A recipient file's JSON, as an operator would write it, with the given transport. */
export function recipientFile(
  id: string,
  kind: string,
  transport: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    name: id,
    kind,
    purpose: 'Synthetic recipient for the test suite',
    legalBasis: 'GDPR Art. 6(1)(e); opplæringslova',
    processing: { country: 'NO', dpaReference: 'TEST-DPA-1' },
    contact: { name: 'Test operator', email: 'drift@example.org' },
    transport,
    ...extra,
  };
}

/**
 * Writes one recipient file per `[id, kind]` into a new `recipients/` below `base`, each delivering by
 * file drop to `dropOf(id)`, as an operator's recipients directory; returns that directory.
 */
export function writeFileDropRecipients(
  base: string,
  recipients: readonly (readonly [id: string, kind: string])[],
  dropOf: (id: string) => string,
): string {
  const dir = join(base, 'recipients');
  mkdirSync(dir);
  for (const [id, kind] of recipients) {
    writeFileSync(
      join(dir, `${id}.json`),
      JSON.stringify(recipientFile(id, kind, { kind: 'file-drop', directory: dropOf(id) })),
    );
  }
  return dir;
}

/** A valid recipient config of `kind`, through the same validation as a file; `extra` adds or replaces keys. */
export function recipient(
  id: string,
  kind: RecipientKind,
  directory: string,
  extra: Record<string, unknown> = {},
): RecipientConfig {
  const { config, problems } = parseRecipientConfig(
    recipientFile(id, kind, { kind: 'file-drop', directory }, extra),
    `${id}.json`,
  );
  if (config === undefined) throw new Error(problems.join('\n'));
  return config;
}

export async function seed(
  connection: RecordsStoreConnection,
  scale: MunicipalityScale,
  seedNumber = 7,
): Promise<void> {
  await loadMunicipality(connection, generateMunicipality({ scale, seed: seedNumber }));
}

/**
 * A migrated test database of its own, seeded with a `scale` municipality before the enclosing
 * describe block's tests and dropped after them; read its fields inside tests and hooks.
 */
export function seededDatabase(scale: MunicipalityScale, timeoutMs = 60_000): TestDatabase {
  let created: TestDatabase | undefined;
  const current = (): TestDatabase => {
    if (created === undefined) throw new Error('the seeded database exists from beforeAll on');
    return created;
  };
  beforeAll(async () => {
    if (scale !== 'oslo') {
      created = await createTestDatabase({ seeded: scale });
    } else {
      created = await createTestDatabase({ migrated: true });
      await seed({ kind: 'pg', pool: created.pool }, scale);
    }
  }, timeoutMs);
  afterAll(async () => {
    // pg-pool's end() resolves before its idle sockets close, and destroy()'s DROP … WITH (FORCE) may
    // terminate one: the pool's 'error' event then is expected.
    created?.pool.on('error', () => undefined);
    await created?.destroy();
  });
  return {
    get db() {
      return current().db;
    },
    get pool() {
      return current().pool;
    },
    get url() {
      return current().url;
    },
    destroy: () => current().destroy(),
  };
}

/** A HubContext over a migrated, seeded database, with file-drop recipients in a fresh directory. */
export function hubContext(
  db: Kysely<unknown>,
  options: {
    recipients: (dropDir: string) => RecipientConfig[];
    logger?: Logger;
    transportFor?: TransportFactory;
  },
): HubContext & { dropDir: string } {
  const dropDir = scratchDir('pifu-drop-');
  return {
    dropDir,
    db: db as Kysely<HubDatabase>,
    source: createRecordsDbSource(db as Kysely<SourceDatabase>, { source: 'pifu-hub' }, driverOf(db)),
    recipients: new Map(options.recipients(dropDir).map((config) => [config.id, config])),
    transportFor: options.transportFor ?? createTransport,
    spoolDir: scratchDir('pifu-spool-'),
    logger: options.logger ?? createLogger({ level: 'silent' }),
    now: () => new Date(),
  };
}

/** An operator holding `roles` (every role by default), as the faces build one. */
export function testActor(
  roles: readonly OperatorRole[] = ['viewer', 'operator', 'privacy-admin', 'config-admin'],
  name = 'test:operator',
): Actor {
  return { name, roles: new Set(roles), source: 'local', roleHint: 'grant it in the test' };
}

/** The operations' context over a hub context: runs execute in this process, no shared queues. */
export function operationContext(ctx: HubContext): OperationContext {
  return { ...ctx, executor: inProcessRunExecutor(ctx), queues: undefined, stuckRuns: new Map() };
}
