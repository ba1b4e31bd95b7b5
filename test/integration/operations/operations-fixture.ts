import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { RecipientConfig } from '../../../src/config/index.js';
import type { OperationContext } from '../../../src/operations/index.js';
import type { TransportFactory } from '../../../src/ports/index.js';
import { hubContext, operationContext, testActor } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/**
 * Shared by the operations tests (one file per use case): actors with one role set each, the audit rows an
 * attempt wrote, counts of what an effect leaves in the hub tables, and the records-store keys the cases
 * need. Everything is read with plain SQL, so a test checks the tables, not the code under test.
 */

export const actors = {
  operator: testActor(['viewer', 'operator'], 'test:olga'),
  viewer: testActor(['viewer'], 'test:viktor'),
  privacyAdmin: testActor(['viewer', 'privacy-admin'], 'test:pia'),
  configAdmin: testActor(['config-admin'], 'test:conrad'),
  nobody: testActor([], 'test:nobody'),
};

export interface AuditRow {
  readonly actor: string;
  readonly action: string;
  readonly outcome: string;
  readonly subject: string | null;
  readonly detail: string | null;
  readonly source: string | null;
}

/** False before the hub schema is migrated: there is no trail yet. */
async function hasAuditTable(db: Kysely<unknown>): Promise<boolean> {
  const { rows } = await sql<{ present: boolean }>`
    SELECT to_regclass('hub.audit') IS NOT NULL AS present`.execute(db);
  return rows[0]?.present === true;
}

async function lastAuditId(db: Kysely<unknown>): Promise<number> {
  if (!(await hasAuditTable(db))) return 0;
  const { rows } = await sql<{ id: number }>`
    SELECT coalesce(max(id), 0)::int AS id FROM hub.audit`.execute(db);
  return rows[0]?.id ?? 0;
}

async function auditRowsAfter(db: Kysely<unknown>, id: number): Promise<AuditRow[]> {
  if (!(await hasAuditTable(db))) return [];
  const { rows } = await sql<AuditRow>`SELECT actor, action, outcome, subject, detail, source
    FROM hub.audit WHERE id > ${id} ORDER BY id`.execute(db);
  return rows;
}

export interface Attempt<T> {
  readonly result?: T;
  readonly error?: unknown;
  /** The audit rows the attempt wrote, oldest first. */
  readonly rows: AuditRow[];
}

/** Calls an operation and reports how it ended (result or error) and the audit rows it wrote. */
export async function attempt<T>(db: Kysely<unknown>, call: () => Promise<T> | T): Promise<Attempt<T>> {
  const before = await lastAuditId(db);
  try {
    const result = await call();
    return { result, rows: await auditRowsAfter(db, before) };
  } catch (error) {
    return { error, rows: await auditRowsAfter(db, before) };
  }
}

/** An attempt that must have succeeded: its result and its audit rows. */
export async function succeeds<T>(
  db: Kysely<unknown>,
  call: () => Promise<T> | T,
): Promise<{ result: T; rows: AuditRow[] }> {
  const outcome = await attempt(db, call);
  if ('error' in outcome) throw outcome.error;
  return { result: outcome.result as T, rows: outcome.rows };
}

/** The error's code and message, for one `toMatchObject`. */
export function codeOf(outcome: Attempt<unknown>): { code?: string; message?: string } {
  const error = outcome.error as { code?: string; message?: string } | undefined;
  return { code: error?.code, message: error?.message };
}

/**
 * An actor without `role` is refused with PIFU_FORBIDDEN before anything happens, and the denial (not the
 * subject: it was never checked) is the one audit row.
 */
export async function expectDenied(
  db: Kysely<unknown>,
  call: () => Promise<unknown>,
  expected: { actor: { name: string }; action: string; role: string },
): Promise<void> {
  const outcome = await attempt(db, call);
  expect(codeOf(outcome)).toMatchObject({
    code: 'PIFU_FORBIDDEN',
    message: expect.stringContaining(`lacks the ${expected.role} role that ${expected.action} needs`),
  });
  expect(outcome.rows).toEqual([
    {
      actor: expected.actor.name,
      action: expected.action,
      outcome: 'denied',
      subject: null,
      detail: `needs the ${expected.role} role`,
      source: 'local',
    },
  ]);
}

/** A refusal with `code` whose audit trail is exactly one `refused` row (never a `done` row). */
export async function expectRefused(
  db: Kysely<unknown>,
  call: () => Promise<unknown>,
  expected: {
    code: string;
    message?: string | RegExp;
    row: Partial<AuditRow> & { actor: string; action: string };
  },
): Promise<AuditRow> {
  const outcome = await attempt(db, call);
  expect(codeOf(outcome)).toMatchObject({ code: expected.code });
  if (expected.message !== undefined) {
    expect((outcome.error as Error).message).toMatch(expected.message);
  }
  expect(outcome.rows).toEqual([
    expect.objectContaining({
      outcome: 'refused',
      source: 'local',
      detail: expect.stringContaining(expected.code),
      ...expected.row,
    }),
  ]);
  return outcome.rows[0]!;
}

/**
 * A national identity number typed where a person key belongs: refused as bad input, without echoing it;
 * the audit subject is its keyed hash and last two digits, and the digits appear nowhere in the trail.
 */
export async function expectIdentityNumberRefused(
  db: Kysely<unknown>,
  call: (typed: string) => Promise<unknown>,
  expected: { nin: string; actor: { name: string }; action: string },
): Promise<void> {
  const { nin } = expected;
  // As an operator might paste it: with a space after the birth date.
  const outcome = await attempt(db, () => call(`${nin.slice(0, 6)} ${nin.slice(6)}`));
  expect(codeOf(outcome)).toMatchObject({
    code: 'PIFU_USAGE_INVALID',
    message: expect.stringContaining('person: that is a national identity number'),
  });
  expect((outcome.error as Error).message).not.toContain(nin);
  expect((outcome.error as Error).message).not.toContain(nin.slice(0, 6));
  expect(outcome.rows).toEqual([
    {
      actor: expected.actor.name,
      action: expected.action,
      outcome: 'refused',
      subject: expect.stringMatching(new RegExp(`^nin:[0-9a-f]{16}…${nin.slice(-2)}$`)),
      detail: expect.stringContaining('PIFU_USAGE_INVALID'),
      source: 'local',
    },
  ]);
  // The same number typed again is recognisable by its hash, and still not stored.
  const again = await attempt(db, () => call(nin));
  expect(again.rows.map((row) => row.subject)).toEqual([outcome.rows[0]?.subject]);
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.audit a
    WHERE a::text LIKE ${`%${nin}%`} OR a::text LIKE ${`%${nin.slice(0, 6)}%${nin.slice(6)}%`}`.execute(db);
  expect(rows[0]?.n).toBe(0);
}

/** What effects leave behind in the hub tables. */
export async function hubCounts(db: Kysely<unknown>): Promise<Record<string, number>> {
  const { rows } = await sql<Record<string, number>>`
    SELECT (SELECT count(*)::int FROM hub.run) AS runs,
           (SELECT count(*)::int FROM hub.feed) AS feeds,
           (SELECT count(*)::int FROM hub.transfer) AS transfers,
           (SELECT count(*)::int FROM hub.disclosure) AS disclosures,
           (SELECT count(*)::int FROM hub.recipient_state) AS recipient_states,
           (SELECT count(*)::int FROM hub.delivered_object) AS delivered_objects,
           (SELECT count(*)::int FROM hub.hold) AS holds,
           (SELECT count(*)::int FROM hub.forgotten_person) AS forgotten`.execute(db);
  return rows[0]!;
}

/** A database of this file's own, with the hub schema and a tiny synthetic municipality in its store. */
export async function seededDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase({ seeded: 'tiny' });
  return database;
}

/** The operations' context over `db`, with file-drop recipients in a fresh directory (runs in process). */
export function operationsOver(
  db: Kysely<unknown>,
  recipients: (dropDir: string) => RecipientConfig[],
  options: { transportFor?: TransportFactory } = {},
): OperationContext & { dropDir: string } {
  const ctx = hubContext(db, { recipients, ...options });
  return { ...operationContext(ctx), dropDir: ctx.dropDir };
}

/** Active pupils with an open enrolment, in key order. */
export async function activePupils(db: Kysely<unknown>, limit = 1): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`SELECT e.person_id::text AS id FROM records.pupil_enrolment e
    JOIN records.person p ON p.id = e.person_id
    WHERE p.status = 'active' AND e.ends IS NULL ORDER BY e.person_id LIMIT ${limit}`.execute(db);
  return rows.map((row) => row.id);
}

/** A person's national identity number from the records store: what an operator might type by mistake. */
export async function identityNumberOf(db: Kysely<unknown>, personKey: string): Promise<string> {
  const { rows } = await sql<{ nin: string }>`SELECT national_identity_number AS nin FROM records.person
    WHERE id = ${personKey}`.execute(db);
  const nin = rows[0]?.nin;
  if (nin === undefined || nin === null) throw new Error(`person ${personKey} has no identity number`);
  return nin;
}

/** A well-formed person key that names nobody. */
export const nobodysKey = '3f6c2a9e-1b4d-4c8e-9a7f-0d2e5b6c7a81';

export function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * A real fault, not a mock: PostgreSQL refuses to commit any transaction that did `event` on `table` (a
 * deferred constraint trigger raises at commit, after every statement of the transaction ran). Anything
 * written in that transaction is gone with it; anything written in another one stays. Returns the undo.
 */
export async function faultAtCommit(
  db: Kysely<unknown>,
  table: string,
  event: 'INSERT' | 'UPDATE',
): Promise<() => Promise<void>> {
  await sql`CREATE OR REPLACE FUNCTION public.test_fault_at_commit() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'fault injected by the test at commit'; END $$`.execute(db);
  await sql`CREATE CONSTRAINT TRIGGER test_fault_at_commit AFTER ${sql.raw(event)} ON ${sql.raw(table)}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.test_fault_at_commit()`.execute(db);
  return async () => {
    await sql`DROP TRIGGER test_fault_at_commit ON ${sql.raw(table)}`.execute(db);
  };
}
