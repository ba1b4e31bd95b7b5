import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import type { DisclosureLine } from './disclosure-manifest.js';

const chunkSize = 5_000;

/**
 * Inserts one row per disclosed person, in chunks through `unnest` so an Oslo-sized feed is a few
 * hundred statements, not hundreds of thousands. The manifest is read twice: first for the persons whose
 * memberships the feed carried (a set of keys, the one thing held in memory), then to insert each person
 * with `memberships` among its categories where it applies. Re-inserting the same transfer is a no-op.
 */
export async function insertDisclosures(
  db: Kysely<HubDatabase>,
  transfer: { transferId: string; recipientId: string; disclosedAt: Date },
  manifest: () => AsyncIterable<DisclosureLine>,
): Promise<number> {
  const members = new Set<string>();
  for await (const line of manifest()) if (line.kind === 'member') members.add(line.personKey);
  let persons: string[] = [];
  let categories: string[] = [];
  let total = 0;
  const flush = async (): Promise<void> => {
    if (persons.length === 0) return;
    await sql`
      INSERT INTO hub.disclosure (transfer_id, person_key, recipient_id, categories, disclosed_at)
      SELECT ${transfer.transferId}, k, ${transfer.recipientId}, string_to_array(c, ','), ${transfer.disclosedAt}
      FROM unnest(${persons}::text[], ${categories}::text[]) AS t(k, c)
      ON CONFLICT DO NOTHING`.execute(db);
    total += persons.length;
    persons = [];
    categories = [];
  };
  for await (const line of manifest()) {
    if (line.kind !== 'person') continue;
    persons.push(line.personKey);
    categories.push(
      (members.has(line.personKey) ? [...line.categories, 'memberships'] : line.categories).join(','),
    );
    // What is left in `members` afterwards are persons whose memberships alone the feed carried.
    members.delete(line.personKey);
    if (persons.length >= chunkSize) await flush();
  }
  // A delta that only moves a pupil between classes still discloses their membership (R5).
  for (const personKey of members) {
    persons.push(personKey);
    categories.push('memberships');
    if (persons.length >= chunkSize) await flush();
  }
  await flush();
  return total;
}

export interface DisclosureAnswer {
  readonly recipientId: string;
  readonly transferId: string;
  readonly trigger: string;
  /** The operator's reason for the run (a resync, a forget), when one was given. */
  readonly reason: string | null;
  readonly disclosedAt: Date;
  /** Field keys and `id:<useridtype>` entries sent, plus `memberships`. */
  readonly categories: readonly string[];
  readonly legalBasis: string | null;
  readonly purpose: string | null;
  /** Set when the recipient's profile was widened by an override, with what it widened. */
  readonly overrideReason: string | null;
  readonly widenings: readonly string[];
  /** R11: systems the recipient passes data on to. */
  readonly relaysTo: readonly string[];
  readonly sha256Hex: string | null;
}

/**
 * Every disclosure of one person, newest first: GDPR Art. 15(1)(c) in one indexed query (the
 * `disclosure_person_key_idx` index, then the transfer and feed rows by primary key).
 */
export async function listPersonDisclosures(
  db: Kysely<HubDatabase>,
  personKey: string,
): Promise<DisclosureAnswer[]> {
  const rows = await db
    .selectFrom('hub.disclosure as d')
    .innerJoin('hub.transfer as t', 't.id', 'd.transfer_id')
    .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
    .innerJoin('hub.run as r', 'r.id', 't.run_id')
    .select([
      'd.recipient_id as recipientId',
      'd.transfer_id as transferId',
      't.trigger',
      'r.reason',
      'd.disclosed_at as disclosedAt',
      'd.categories',
      'f.legal_basis as legalBasis',
      'f.purpose',
      'f.override_reason as overrideReason',
      'f.widenings',
      'f.relays_to as relaysTo',
      't.sha256_hex as sha256Hex',
    ])
    .where('d.person_key', '=', personKey)
    .orderBy('d.disclosed_at', 'desc')
    .orderBy('d.recipient_id')
    .execute();
  return rows.map((row) => ({ ...row, disclosedAt: new Date(row.disclosedAt) }));
}
