import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../../../../src/db/index.js';
import { findRun, type Run } from '../../../../src/run/index.js';
import { carriedByTransfer } from '../../../helpers/register-carried.js';

/** Polls the database (not Redis, which a test may be restarting) until the run has finished. */
export async function waitForRun(db: Kysely<HubDatabase>, runId: string, timeoutMs: number): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await findRun(db, runId);
    if (run !== undefined && run.status !== 'running') return run;
    if (Date.now() > deadline)
      throw new Error(`run ${runId} still ${run?.status ?? 'missing'} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A recipient's drop directory: the names it would pick up, and temporary names left by a crash. */
function dropListing(dir: string): { visible: string[]; partial: string[] } {
  const names = readdirSync(dir).sort();
  return {
    visible: names.filter((name) => !name.endsWith('.partial')),
    partial: names.filter((name) => name.endsWith('.partial')),
  };
}

export interface DeliveredCheck {
  readonly recipientId: string;
  readonly transferId: string;
  readonly attempts: number;
  /** `.partial` files a killed copy left beside the feed (never under the feed's own name). */
  readonly partial: string[];
}

/**
 * What docs/requirements.md#d2 promises after a crash, per recipient of the run: exactly one transfer,
 * delivered; the recipient's delivered state points at it and holds as many objects as its rows say; one disclosure
 * (own row or reconfirmed span) per person the feed carried, none twice; for a file drop, the feed and its .sha256 under their final
 * names and nothing else the recipient would pick up, the feed byte-identical to what was written.
 */
export async function expectDeliveredOnce(
  db: Kysely<HubDatabase>,
  runId: string,
  options: { fileDrop: boolean },
): Promise<DeliveredCheck[]> {
  const { rows: transfers } = await sql<{
    id: string;
    recipient_id: string;
    status: string;
    attempts: number;
    location: string | null;
    sha256_hex: string | null;
    persons: number;
  }>`
    SELECT t.id, t.recipient_id, t.status, t.attempts, t.location, t.sha256_hex, f.persons
    FROM hub.transfer t JOIN hub.feed f ON f.id = t.feed_id
    WHERE t.run_id = ${runId} ORDER BY t.recipient_id`.execute(db);
  const checks: DeliveredCheck[] = [];
  for (const transfer of transfers) {
    expect([transfer.recipient_id, transfer.status]).toEqual([transfer.recipient_id, 'delivered']);
    const { rows: state } = await sql<{ transfer_id: string; objects: number; held: number }>`
      SELECT s.transfer_id, s.objects,
        (SELECT count(*)::int FROM hub.delivered_object o WHERE o.recipient_id = s.recipient_id) AS held
      FROM hub.recipient_state s WHERE s.recipient_id = ${transfer.recipient_id}`.execute(db);
    expect(state).toEqual([{ transfer_id: transfer.id, objects: state[0]?.held, held: state[0]?.held }]);
    // What the register says the transfer carried (docs/requirements.md#d8) -- an earlier test in the
    // same file may have delivered the same recipient's full already.
    const { rows: disclosed } = await sql<{ rows: number; persons: number }>`
      WITH carried AS (${carriedByTransfer(transfer.id)})
      SELECT count(*)::int AS rows, count(DISTINCT person_key)::int AS persons FROM carried`.execute(db);
    expect(disclosed).toEqual([{ rows: transfer.persons, persons: transfer.persons }]);
    let partial: string[] = [];
    if (options.fileDrop) {
      const file = transfer.location!;
      const listing = dropListing(dirname(file));
      expect(listing.visible).toEqual([basename(file), `${basename(file)}.sha256`]);
      expect(readFileSync(`${file}.sha256`, 'utf8')).toBe(`${transfer.sha256_hex}  ${basename(file)}\n`);
      expect(await sha256Of(file)).toBe(transfer.sha256_hex);
      partial = listing.partial;
    }
    checks.push({
      recipientId: transfer.recipient_id,
      transferId: transfer.id,
      attempts: transfer.attempts,
      partial,
    });
  }
  return checks;
}
