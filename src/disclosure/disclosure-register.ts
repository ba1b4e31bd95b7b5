import { sql, type Kysely, type RawBuilder } from 'kysely';
import { copyLineBatches, parseCopyLine, type CopyRows, type HubDatabase } from '../db/index.js';
import type { DisclosureManifest } from './disclosure-manifest.js';

const chunkSize = 20_000;

export interface RecordedDisclosures {
  /**
   * Person entries written: a `disclosure` row per person a delta carries; in a full, a span opened per
   * person whose content changed since the recipient's last full, or who was not in it.
   */
  readonly rows: number;
  /** Persons a full carried unchanged in spans opened before it: its reconfirmation's count. */
  readonly reconfirmed: number;
  /** Whether the spans' statistics were stale for this full's joins and refreshed (refreshStaleSpanStatistics). */
  readonly spansAnalysed: boolean;
}

/**
 * Turns a delivered feed's disclosure manifest into the register (docs/requirements.md#d5, #d8), inside
 * the acknowledgement transaction. A delta writes one `disclosure` row per person it carried, with
 * `memberships` among the categories where it carried their memberships (a delta that only moves a
 * pupil between classes still discloses that). A full writes one `disclosure_reconfirmation` row, at
 * its sequence number, and a `disclosure_span` only for each person whose disclosed content changed
 * since the recipient's last full (content hash or categories), or who was not in it: the span opens
 * at the full's sequence number, so the full carried everyone in a span open at it, the ones it opened
 * included (a span holds what a `disclosure` row of the opening full would: hub migration 0025). Spans
 * the full did not carry on unchanged are closed at its sequence number. The manifest is staged in
 * temporary tables and joined there, so memory holds one chunk of keys at a time, whatever the feed's
 * size.
 */
export async function recordDisclosures(
  db: Kysely<HubDatabase>,
  transfer: { transferId: string; recipientId: string; disclosedAt: Date },
  manifest: DisclosureManifest,
  copy?: CopyRows,
): Promise<RecordedDisclosures> {
  const { relation: disclosed, persons } = await stageManifest(db, manifest, copy);
  const { rows: kinds } = await sql<{ feed_type: string }>`SELECT f.feed_type FROM hub.transfer t
    JOIN hub.feed f ON f.id = t.feed_id WHERE t.id = ${transfer.transferId}`.execute(db);
  const { transferId, recipientId, disclosedAt } = transfer;
  // Rows go in in key order, as the indexes on person_key have them: each index page is visited once,
  // where the order of a join's output made every insert a random one (twice the time at Oslo).
  if (kinds[0]?.feed_type !== 'full') {
    const inserted = await sql`INSERT INTO hub.disclosure
        (transfer_id, person_key, recipient_id, categories, disclosed_at)
      SELECT ${transferId}, person_key, ${recipientId}, categories, ${disclosedAt} FROM ${disclosed} d
      ORDER BY person_key
      ON CONFLICT DO NOTHING`.execute(db);
    return { rows: Number(inserted.numAffectedRows ?? 0), reconfirmed: 0, spansAnalysed: false };
  }
  const { rows: sequence } = await sql<{ seq: string }>`SELECT nextval('hub.disclosure_seq') AS seq`.execute(
    db,
  );
  const seq = String(sequence[0]?.seq);
  const { rows: open } = await sql`SELECT 1 FROM hub.disclosure_span
    WHERE recipient_id = ${recipientId} AND closed_seq IS NULL LIMIT 1`.execute(db);
  // Without an open span (the recipient's first full), every person the full carried opens one.
  let opening = disclosed;
  let spansAnalysed = false;
  if (open.length > 0) {
    spansAnalysed = await refreshStaleSpanStatistics(db, recipientId, persons);
    // One pass over the recipient's open spans and the feed's persons: a span stays open where the full
    // carried its person unchanged with the same categories; every other span closes, and every other
    // person opens one. A full join is planned as a hash or merge join whatever the statistics say (an
    // anti join on stale ones was quadratic in the feed's persons), and it is decided before anything is
    // inserted, so no statement reads the spans it writes. Only what changes is kept.
    await sql`CREATE TEMP TABLE span_change ON COMMIT DROP AS
      SELECT s.person_key AS open_key, d.person_key, d.categories
      FROM (SELECT person_key, categories FROM hub.disclosure_span
        WHERE recipient_id = ${recipientId} AND closed_seq IS NULL) s
      FULL JOIN ${disclosed} d ON d.person_key = s.person_key
      WHERE s.person_key IS NULL OR d.person_key IS NULL OR NOT (d.unchanged AND d.categories = s.categories)`.execute(
      db,
    );
    await sql`ANALYZE pg_temp.span_change`.execute(db);
    await sql`UPDATE hub.disclosure_span s SET closed_seq = ${seq}::bigint
      FROM pg_temp.span_change c
      WHERE s.recipient_id = ${recipientId} AND s.closed_seq IS NULL AND s.person_key = c.open_key`.execute(
      db,
    );
    opening = sql`(SELECT person_key, categories FROM pg_temp.span_change WHERE person_key IS NOT NULL)`;
  }
  // No ON CONFLICT: the spans' open index lets a person open one span per full, so each opened person
  // is one new row; the speculative insertion it would take cost a third of this statement at Oslo.
  const inserted = await sql`INSERT INTO hub.disclosure_span
      (recipient_id, person_key, categories, opened_by, opened_seq)
    SELECT ${recipientId}, person_key, categories, ${transferId}, ${seq}::bigint FROM ${opening} o
    ORDER BY person_key`.execute(db);
  const rows = Number(inserted.numAffectedRows ?? 0);
  const reconfirmed = persons - rows;
  await sql`INSERT INTO hub.disclosure_reconfirmation (transfer_id, recipient_id, seq, disclosed_at, persons)
    VALUES (${transferId}, ${recipientId}, ${seq}::bigint, ${disclosedAt}, ${reconfirmed})
    ON CONFLICT DO NOTHING`.execute(db);
  return { rows, reconfirmed, spansAnalysed };
}

/**
 * Before a full's joins against the recipient's open spans: when the planner would see far fewer of them
 * than the full carries persons (statistics taken before the recipient's spans were opened; autovacuum
 * off or not there yet), the spans are analysed first, since a join planned on such an estimate can be
 * quadratic (a nested loop over what it takes for one row). Here rather than after each full that moved
 * many spans: that ANALYZE (0.4–1.2 s at Oslo) was paid by every first full, whose own statements never
 * read the spans, and mostly for nothing; now only a later full pays it, once, when the statistics are
 * stale. In the transaction, so it sees the spans its joins read; its lock only waits for another
 * ANALYZE of the spans. Returns whether it analysed.
 */
async function refreshStaleSpanStatistics(
  db: Kysely<HubDatabase>,
  recipientId: string,
  persons: number,
): Promise<boolean> {
  if (persons < stalePersons) return false;
  const { rows } = await sql<{ 'QUERY PLAN': unknown }>`EXPLAIN (FORMAT JSON)
    SELECT person_key FROM hub.disclosure_span WHERE recipient_id = ${recipientId} AND closed_seq IS NULL`.execute(
    db,
  );
  if (estimatedRows(rows[0]?.['QUERY PLAN']) * staleFactor >= persons) return false;
  await sql`ANALYZE hub.disclosure_span`.execute(db);
  return true;
}

/** The rows a plan's top node expects, from EXPLAIN (FORMAT JSON) (parsed, or text on a driver that leaves it); 0 if none. */
function estimatedRows(explained: unknown): number {
  const plans = (typeof explained === 'string' ? JSON.parse(explained) : explained) as
    readonly { Plan?: { 'Plan Rows'?: number } }[] | undefined;
  return Number(plans?.[0]?.Plan?.['Plan Rows'] ?? 0);
}

/** Statistics are stale when they promise fewer open spans than a full's persons by more than this factor. */
const staleFactor = 4;

/**
 * Below this many persons a plan on stale statistics costs less than analysing every recipient's spans
 * (as before, when only a full that moved 10,000 spans analysed), and a recipient that small may stay
 * out of the sampled statistics' common values however often they are taken: it would analyse each time.
 */
const stalePersons = 10_000;

/**
 * Stages the manifest: one row per person the feed carried, with the categories the register records
 * (the record's, plus `memberships` when the feed carried any of theirs) and whether the content hash
 * was unchanged against what the recipient held. Persons go into `pg_temp.disclosed`, member keys
 * (memberships come in group order, so one person's repeat) beside them: by COPY of the manifest's
 * files as they are read when the transaction has one, else through `unnest`. When the feed has member
 * lines, the two are merged by one full join into `pg_temp.disclosed_all`: planned as a hash or merge
 * join whatever the (absent) statistics of the staged tables say, so nothing is analysed, and no staged
 * row is written twice (an update of the persons cost a new version of each, 0.3 s at Oslo). Keys in
 * byte order, as the register's columns (hub migration 0023). Dropped when the transaction ends.
 * Returns the staged relation and its persons.
 */
async function stageManifest(
  db: Kysely<HubDatabase>,
  manifest: DisclosureManifest,
  copy: CopyRows | undefined,
): Promise<{ relation: RawBuilder<unknown>; persons: number }> {
  await sql`CREATE TEMP TABLE disclosed (person_key text COLLATE "C", categories text[], unchanged boolean)
    ON COMMIT DROP`.execute(db);
  await sql`CREATE TEMP TABLE disclosed_member (person_key text COLLATE "C") ON COMMIT DROP`.execute(db);
  const staged =
    copy === undefined
      ? await insertManifest(db, manifest)
      : {
          persons: await copy.text('pg_temp.disclosed', personColumns, manifest.persons()),
          anyMembers: (await copy.text('pg_temp.disclosed_member', ['person_key'], memberText(manifest))) > 0,
        };
  if (!staged.anyMembers) return { relation: sql`pg_temp.disclosed`, persons: staged.persons };
  await sql`CREATE TEMP TABLE disclosed_all (person_key text COLLATE "C", categories text[], unchanged boolean)
    ON COMMIT DROP`.execute(db);
  const merged = await sql`INSERT INTO pg_temp.disclosed_all
    SELECT coalesce(d.person_key, m.person_key) AS person_key,
      CASE WHEN m.person_key IS NULL THEN d.categories
        ELSE coalesce(d.categories, '{}'::text[]) || 'memberships'::text END AS categories,
      coalesce(d.unchanged, false) AS unchanged
    FROM pg_temp.disclosed d
    FULL JOIN (SELECT DISTINCT person_key FROM pg_temp.disclosed_member) m ON m.person_key = d.person_key`.execute(
    db,
  );
  return { relation: sql`pg_temp.disclosed_all`, persons: Number(merged.numAffectedRows ?? 0) };
}

const personColumns = ['person_key', 'categories', 'unchanged'] as const;

/** The member keys as COPY text, each batch's keys once (a pupil's groups come close together). */
async function* memberText(manifest: DisclosureManifest): AsyncGenerator<string> {
  for await (const lines of manifest.members()) {
    if (lines.length > 0) yield `${[...new Set(lines)].join('\n')}\n`;
  }
}

/** What staging the manifest gave: the persons staged, and whether there were member lines. */
interface Staged {
  readonly persons: number;
  readonly anyMembers: boolean;
}

/**
 * The manifest into the staging tables through `unnest` (no COPY: PGlite), a chunk per statement, one
 * statement in flight while the next chunk is read; member keys deduplicated per chunk.
 */
async function insertManifest(db: Kysely<HubDatabase>, manifest: DisclosureManifest): Promise<Staged> {
  let inFlight: Promise<unknown> = Promise.resolve();
  // Its failure surfaces at the next send or at the end (and never unhandled meanwhile).
  const send = async (statement: () => Promise<unknown>): Promise<void> => {
    await inFlight;
    const sent = statement();
    sent.catch(() => undefined);
    inFlight = sent;
  };
  let persons = 0;
  let rows: string[][] = [];
  const flushPersons = async (): Promise<void> => {
    if (rows.length === 0) return;
    const chunk = rows;
    rows = [];
    persons += chunk.length;
    await send(() =>
      sql`INSERT INTO pg_temp.disclosed
        SELECT k, c::text[], u::boolean FROM unnest(${chunk.map((row) => row[0])}::text[],
          ${chunk.map((row) => row[1])}::text[], ${chunk.map((row) => row[2])}::text[]) AS p(k, c, u)`.execute(
        db,
      ),
    );
  };
  for await (const batch of copyLineBatches(manifest.persons())) {
    for (const line of batch) rows.push(parseCopyLine(line).map((field) => field ?? ''));
    if (rows.length >= chunkSize) await flushPersons();
  }
  await flushPersons();
  let members = new Set<string>();
  let anyMembers = false;
  const flushMembers = async (): Promise<void> => {
    if (members.size === 0) return;
    anyMembers = true;
    const keys = [...members];
    members = new Set();
    await send(() =>
      sql`INSERT INTO pg_temp.disclosed_member SELECT * FROM unnest(${keys}::text[])`.execute(db),
    );
  };
  for await (const batch of manifest.members()) {
    for (const line of batch) members.add(parseCopyLine(line)[0] ?? '');
    if (members.size >= chunkSize) await flushMembers();
  }
  await flushMembers();
  await inFlight;
  return { persons, anyMembers };
}
