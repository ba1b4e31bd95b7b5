import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { HubError } from '../errors/index.js';

/** What `tryWith` gives back: the work's result, or why the work did not run. */
export type LockOutcome<T> =
  | { readonly acquired: true; readonly value: T }
  | { readonly acquired: false; readonly reason: 'held' | 'busy' };

/**
 * At most one feed per recipient in flight at a time, across every worker process (issue: workers).
 * `tryWith` never waits: when another holder has the recipient, the work does not run and the caller
 * reschedules itself (a queue job moves itself to delayed without spending an attempt).
 */
export interface RecipientLock {
  readonly kind: 'advisory' | 'in-process';
  tryWith<T>(recipientId: string, work: () => Promise<T>): Promise<LockOutcome<T>>;
}

/**
 * The 64-bit key of a recipient's advisory lock: the first 8 bytes of sha-256 over a namespaced id, so
 * the hub's locks never meet another application's small integer keys on a shared server.
 */
export function recipientLockKey(recipientId: string): string {
  const digest = createHash('sha256').update(`pifu-hub:recipient:${recipientId}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * A PostgreSQL session advisory lock, taken with pg_try_advisory_lock on a connection checked out of the
 * pool for the whole critical section and unlocked before the connection goes back. If the process
 * dies, PostgreSQL ends its sessions and the lock with them, so a crashed worker never strands a
 * recipient. The lock connection sits idle while the work runs on other pooled connections; `maxHeld`
 * caps how many this process holds at once, so lock holders never take every connection of the pool
 * (10) and starve their own work: beyond it `tryWith` answers `busy`, as if the lock were held.
 */
export function advisoryRecipientLock(
  db: Kysely<HubDatabase>,
  options: { maxHeld?: number } = {},
): RecipientLock {
  const maxHeld = options.maxHeld ?? 5;
  let held = 0;
  return {
    kind: 'advisory',
    tryWith: async <T>(recipientId: string, work: () => Promise<T>): Promise<LockOutcome<T>> => {
      if (held >= maxHeld) return { acquired: false, reason: 'busy' };
      held += 1;
      try {
        const key = recipientLockKey(recipientId);
        return await db.connection().execute(async (connection): Promise<LockOutcome<T>> => {
          const { rows } = await sql<{ locked: boolean }>`
            SELECT pg_try_advisory_lock(${key}::bigint) AS locked`.execute(connection);
          if (rows[0]?.locked !== true) return { acquired: false, reason: 'held' };
          try {
            return { acquired: true, value: await work() };
          } finally {
            await sql`SELECT pg_advisory_unlock(${key}::bigint)`.execute(connection);
          }
        });
      } finally {
        held -= 1;
      }
    },
  };
}

const inProcessHolders = new WeakMap<object, Set<string>>();

/**
 * For PGlite, the embedded single-connection database: only one process can open its data directory,
 * so "across all processes" is this process, and a set of recipient ids per database is the whole lock.
 * (A session advisory lock would not work there: PGlite has one session, which always gets the lock,
 * and holding its only connection for the critical section would block the work itself.)
 */
export function inProcessRecipientLock(db: Kysely<HubDatabase>): RecipientLock {
  let holders = inProcessHolders.get(db);
  if (holders === undefined) {
    holders = new Set();
    inProcessHolders.set(db, holders);
  }
  const taken = holders;
  return {
    kind: 'in-process',
    tryWith: async <T>(recipientId: string, work: () => Promise<T>): Promise<LockOutcome<T>> => {
      if (taken.has(recipientId)) return { acquired: false, reason: 'held' };
      taken.add(recipientId);
      try {
        return { acquired: true, value: await work() };
      } finally {
        taken.delete(recipientId);
      }
    },
  };
}

/**
 * The lock that fits the hub database: advisory on a PostgreSQL server, in-process on PGlite (which
 * reports itself as PostgreSQL built for wasm32 by Emscripten).
 */
export async function recipientLockFor(db: Kysely<HubDatabase>): Promise<RecipientLock> {
  const { rows } = await sql<{ version: string }>`SELECT version() AS version`.execute(db);
  const version = rows[0]?.version ?? '';
  return /wasm32|emscripten/i.test(version) ? inProcessRecipientLock(db) : advisoryRecipientLock(db);
}

/**
 * Runs `work` holding the recipient's lock, for callers that cannot put themselves back on a queue (an
 * operator's approve or retry, an in-process run): `tryWith` never waits, so this asks again every
 * `pollMs` until the holder is done, for at most `waitMs`, then throws PIFU_RECIPIENT_BUSY.
 */
export async function withRecipientLock<T>(
  lock: RecipientLock,
  recipientId: string,
  work: () => Promise<T>,
  options: { waitMs?: number; pollMs?: number } = {},
): Promise<T> {
  const waitMs = options.waitMs ?? 60_000;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const outcome = await lock.tryWith(recipientId, work);
    if (outcome.acquired) return outcome.value;
    if (Date.now() >= deadline) {
      throw new HubError(
        'PIFU_RECIPIENT_BUSY',
        `another feed or delivery for ${recipientId} held its lock for ${Math.round(waitMs / 1000)} s; ` +
          'wait for it to finish (pifu-hub runs) and try again',
      );
    }
    await sleep(options.pollMs ?? 200);
  }
}

/**
 * The recipient's transfers that were started before this one and are still pending: while one of them
 * is still on its way (its jobs queued, running or waiting to retry), a newer feed for the recipient
 * would be written against delivered state that is about to change, and could overtake it.
 */
export async function earlierPendingTransfers(
  db: Kysely<HubDatabase>,
  transferId: string,
): Promise<{ id: string; runId: string }[]> {
  return db
    .selectFrom('hub.transfer as t')
    .innerJoin('hub.transfer as own', 'own.recipient_id', 't.recipient_id')
    .select(['t.id', 't.run_id as runId'])
    .where('own.id', '=', transferId)
    .where('t.status', '=', 'pending')
    .where(sql<boolean>`(t.created_at, t.id) < (own.created_at, own.id)`)
    .orderBy('t.created_at')
    .orderBy('t.id')
    .execute();
}
