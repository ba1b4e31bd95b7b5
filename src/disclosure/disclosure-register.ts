import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { CopyRows, CopyValue, HubDatabase } from '../db/index.js';
import type { DisclosureLine } from './disclosure-manifest.js';

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
  manifest: () => AsyncIterable<readonly DisclosureLine[]>,
  copy?: CopyRows,
): Promise<RecordedDisclosures> {
  const { relation: disclosed, persons } = await stageManifest(db, manifest(), copy);
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
 * was unchanged against what the recipient held. Persons go into `pg_temp.disclosed`, member lines
 * (memberships come in group order, so one person's repeat) beside them (by COPY when the transaction
 * has one, else through `unnest`). When the feed has member lines, the two are merged by one full join
 * into `pg_temp.disclosed_all`: planned as a hash or merge join whatever the (absent) statistics of the
 * staged tables say, so nothing is analysed, and no staged row is written twice (an update of the
 * persons cost a new version of each, 0.3 s at Oslo). Keys in byte order, as the register's columns
 * (hub migration 0023). Dropped when the transaction ends. Returns the staged relation and its persons.
 */
async function stageManifest(
  db: Kysely<HubDatabase>,
  lines: AsyncIterable<readonly DisclosureLine[]>,
  copy: CopyRows | undefined,
): Promise<{ relation: RawBuilder<unknown>; persons: number }> {
  await sql`CREATE TEMP TABLE disclosed (person_key text COLLATE "C", categories text[], unchanged boolean)
    ON COMMIT DROP`.execute(db);
  await sql`CREATE TEMP TABLE disclosed_member (person_key text COLLATE "C") ON COMMIT DROP`.execute(db);
  const staged = await (copy === undefined ? insertLines(db, lines) : copyLines(copy, lines));
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

/** What staging the manifest's lines gave: the persons staged, and whether there were member lines. */
interface Staged {
  readonly persons: number;
  readonly anyMembers: boolean;
}

/**
 * The manifest into the staging tables through `unnest`, a chunk per statement, member keys
 * deduplicated per chunk.
 */
async function insertLines(
  db: Kysely<HubDatabase>,
  lines: AsyncIterable<readonly DisclosureLine[]>,
): Promise<Staged> {
  let keys: string[] = [];
  let categories: string[] = [];
  let unchanged: boolean[] = [];
  let members = new Set<string>();
  let anyMembers = false;
  let persons = 0;
  // One chunk goes to PostgreSQL while the next is read: at most one statement in flight, its failure
  // surfacing at the next send or at the end (and never unhandled meanwhile).
  let inFlight: Promise<unknown> = Promise.resolve();
  const send = async (statement: () => Promise<unknown>): Promise<void> => {
    await inFlight;
    const sent = statement();
    sent.catch(() => undefined);
    inFlight = sent;
  };
  const flushPersons = async (): Promise<void> => {
    if (keys.length === 0) return;
    const [k, c, u] = [keys, categories, unchanged];
    persons += k.length;
    keys = [];
    categories = [];
    unchanged = [];
    await send(() =>
      sql`INSERT INTO pg_temp.disclosed
        SELECT k, string_to_array(c, ','), u FROM unnest(${k}::text[], ${c}::text[], ${u}::boolean[]) AS p(k, c, u)`.execute(
        db,
      ),
    );
  };
  const flushMembers = async (): Promise<void> => {
    if (members.size === 0) return;
    anyMembers = true;
    const keysOfMembers = [...members];
    members = new Set();
    await send(() =>
      sql`INSERT INTO pg_temp.disclosed_member SELECT * FROM unnest(${keysOfMembers}::text[])`.execute(db),
    );
  };
  for await (const batch of lines) {
    for (const line of batch) {
      if (line.kind === 'person') {
        keys.push(line.personKey);
        categories.push(line.categories.join(','));
        unchanged.push(line.unchanged === true);
      } else {
        members.add(line.personKey);
      }
    }
    if (keys.length >= chunkSize) await flushPersons();
    if (members.size >= chunkSize) await flushMembers();
  }
  await flushPersons();
  await flushMembers();
  await inFlight;
  return { persons, anyMembers };
}

/**
 * The manifest into the staging tables by COPY, one COPY per run of lines of one kind (persons, then
 * members: two for a manifest as the writer makes it), each reading the manifest while the server
 * takes its rows; member keys deduplicated per batch.
 */
async function copyLines(copy: CopyRows, lines: AsyncIterable<readonly DisclosureLine[]>): Promise<Staged> {
  const iterator = lines[Symbol.asyncIterator]();
  let batch: readonly DisclosureLine[] = [];
  let at = 0;
  /** The next line, reading the next batch when this one is done; undefined at the end. */
  const current = async (): Promise<DisclosureLine | undefined> => {
    while (at >= batch.length) {
      const next = await iterator.next();
      if (next.done === true) return undefined;
      [batch, at] = [next.value, 0];
    }
    return batch[at];
  };
  /** Rows of the lines from here on while they are of `kind`, a batch at a time. */
  async function* run(kind: DisclosureLine['kind']): AsyncGenerator<CopyValue[][]> {
    while ((await current())?.kind === kind) {
      const rows: CopyValue[][] = [];
      const members = new Set<string>();
      for (let line = batch[at]; line?.kind === kind; line = batch[++at]) {
        if (line.kind === 'person') rows.push([line.personKey, line.categories, line.unchanged === true]);
        else if (!members.has(line.personKey)) {
          members.add(line.personKey);
          rows.push([line.personKey]);
        }
      }
      yield rows;
    }
  }
  let anyMembers = false;
  let persons = 0;
  try {
    for (let line = await current(); line !== undefined; line = await current()) {
      if (line.kind === 'person') {
        persons += await copy('pg_temp.disclosed', ['person_key', 'categories', 'unchanged'], run('person'));
      } else {
        anyMembers = true;
        await copy('pg_temp.disclosed_member', ['person_key'], run('member'));
      }
    }
  } finally {
    // A failed COPY leaves the manifest half read: close its file.
    await iterator.return?.(undefined);
  }
  return { persons, anyMembers };
}
