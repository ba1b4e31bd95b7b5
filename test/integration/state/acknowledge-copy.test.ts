import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import { copyTransaction, type HubDatabase } from '../../../src/db/index.js';
import type { DisclosureLine } from '../../../src/disclosure/index.js';
import { formatStateLine, type StateLine } from '../../../src/state/index.js';
import {
  acknowledgeManifests,
  insertPendingTransfer,
  ndjsonStateText,
  stateManifestText,
  writeManifests,
} from '../../helpers/pending-transfer.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/** Keys and texts COPY's text format must escape or quote, and some it must leave alone. */
const awkward = ['a\\b', 'tab\there', 'new\nline', 'cr\rhere', 'quote"d', '{braced,comma}', '\\N', 'Ø', ''];

/** A first full's state lines: many (several batches and chunks), awkward keys, details, input hashes. */
function firstStateLines(): StateLine[] {
  const lines: StateLine[] = [];
  for (let i = 0; i < 25_000; i++) {
    const key = `p${String(i).padStart(6, '0')}${awkward[i % awkward.length]}`;
    lines.push({
      op: 'upsert',
      type: 'person',
      key,
      hash: `h${i}`,
      ...(i % 3 === 0 ? { inputHash: `i${i}` } : {}),
    });
  }
  for (let i = 0; i < 1_000; i++) {
    lines.push({
      op: 'upsert',
      type: 'group',
      key: `g${i}${awkward[i % awkward.length]}`,
      hash: `gh${i}`,
      // A parent key JSON escapes, then COPY escapes again.
      detail: { type: 'basisgruppe', parentKey: `we\\ird\t"${awkward[i % awkward.length]}"` },
    });
  }
  for (let i = 0; i < 5_000; i++)
    lines.push({ op: 'upsert', type: 'membership', key: `m${i}`, hash: `mh${i}` });
  return lines;
}

/** A delta on top: changes, deletes and new objects. */
function deltaStateLines(): StateLine[] {
  const lines: StateLine[] = [];
  for (let i = 0; i < 25_000; i += 7) {
    const key = `p${String(i).padStart(6, '0')}${awkward[i % awkward.length]}`;
    lines.push(
      i % 2 === 0
        ? { op: 'upsert', type: 'person', key, hash: `changed${i}` }
        : { op: 'delete', type: 'person', key },
    );
  }
  lines.push({ op: 'upsert', type: 'person', key: 'new\\person', hash: 'n' });
  return lines;
}

/** Persons (some with awkward categories), then member lines that repeat, then one person more. */
function disclosureLines(): DisclosureLine[] {
  const lines: DisclosureLine[] = [];
  for (let i = 0; i < 12_000; i++) {
    const categories =
      i % 5 === 0 ? [] : i % 5 === 1 ? ['name', 'id:fnr', 'NULL', 'we"ird\\cat', ''] : ['name'];
    lines.push({
      kind: 'person',
      personKey: `p${String(i).padStart(6, '0')}${awkward[i % awkward.length]}`,
      categories,
      ...(i % 4 === 0 ? { unchanged: true } : {}),
    });
  }
  for (let i = 0; i < 30_000; i++) {
    // Each member twice in a row, some of them persons of the feed, some only members.
    const n = Math.floor(i / 2);
    lines.push({
      kind: 'member',
      personKey:
        n % 3 === 0 ? `only-member\t${n}` : `p${String(n).padStart(6, '0')}${awkward[n % awkward.length]}`,
    });
  }
  lines.push({ kind: 'person', personKey: 'late\\person', categories: ['name'] });
  return lines;
}

describe('acknowledging by COPY on the acknowledgement transaction (PostgreSQL)', () => {
  let database: TestDatabase;
  let db: Kysely<HubDatabase>;
  /** The same database through a Kysely openDatabase did not make: no COPY, the statements PGlite runs. */
  let plain: Kysely<HubDatabase>;
  let dir: string;
  let files = 0;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    db = database.db as Kysely<HubDatabase>;
    plain = new Kysely<HubDatabase>({ dialect: new PostgresDialect({ pool: database.pool }) });
    dir = scratchDir('pifu-ack-copy-');
  });
  afterAll(async () => {
    // `plain` shares the pool, which the test database ends.
    await database.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A written full or delta for `recipientId`, its transfer pending: what acknowledgeTransfer is handed. */
  async function pendingTransfer(recipientId: string, feedType: 'full' | 'delta'): Promise<string> {
    const id = `${recipientId}-${files++}`;
    await insertPendingTransfer(db, id, recipientId, feedType);
    return id;
  }

  async function acknowledge(
    through: Kysely<HubDatabase>,
    recipientId: string,
    transferId: string,
    basedOn: string | null,
    manifests: { state: string; disclosures: readonly DisclosureLine[]; form?: 'copy' | 'ndjson' },
  ): Promise<boolean> {
    const feedPath = join(dir, `feed-${files++}.xml`);
    await writeManifests(feedPath, manifests, manifests.form);
    return acknowledgeManifests(
      through,
      {
        transferId,
        recipientId,
        basedOn,
        // Later for each acknowledgement, so a recipient's disclosures sort in the order they were made.
        deliveredAt: new Date(Date.UTC(2026, 10, 29, 2) + files * 1000),
      },
      feedPath,
    );
  }

  /**
   * The same manifests acknowledged for each recipient, through its own Kysely, on top of what it got
   * last (`basedOn`, null for a first full): each acknowledged. Returns the new transfers' ids.
   */
  async function acknowledgeEach(
    sides: readonly { through: Kysely<HubDatabase>; recipientId: string; basedOn: string | null }[],
    feedType: 'full' | 'delta',
    manifests: { state: string; disclosures: readonly DisclosureLine[] },
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const { through, recipientId, basedOn } of sides) {
      const transferId = await pendingTransfer(recipientId, feedType);
      expect(await acknowledge(through, recipientId, transferId, basedOn, manifests)).toBe(true);
      ids.push(transferId);
    }
    return ids;
  }

  /** What the hub holds for a recipient, without its own ids. */
  async function holding(recipientId: string) {
    const rows = async (query: RawBuilder<unknown>) => (await query.execute(db)).rows;
    return {
      objects:
        await rows(sql`SELECT object_type, object_key, hash, detail, input_hash FROM hub.delivered_object
        WHERE recipient_id = ${recipientId} ORDER BY object_type, object_key`),
      state: await rows(sql`SELECT objects FROM hub.recipient_state WHERE recipient_id = ${recipientId}`),
      disclosures: await rows(sql`SELECT person_key, categories FROM hub.disclosure
        WHERE recipient_id = ${recipientId} ORDER BY person_key, disclosed_at`),
      spans: await rows(sql`SELECT person_key, categories, closed_seq IS NULL AS open FROM hub.disclosure_span
        WHERE recipient_id = ${recipientId} ORDER BY person_key, opened_seq`),
      reconfirmed: await rows(sql`SELECT persons FROM hub.disclosure_reconfirmation
        WHERE recipient_id = ${recipientId} ORDER BY seq`),
    };
  }

  it('hands a COPY to a database openDatabase made, and none otherwise; the rows round-trip exactly', async () => {
    const values = [...awkward, 'plain'];
    const read = await copyTransaction(db, async (trx, copy) => {
      expect(copy).toBeDefined();
      await sql`CREATE TEMP TABLE copied (t text, n integer, b boolean, a text[]) ON COMMIT DROP`.execute(
        trx,
      );
      const written = await copy!(
        'pg_temp.copied',
        ['t', 'n', 'b', 'a'],
        (async function* () {
          yield values.map((value, i) => [value, i, i % 2 === 0, [value, 'NULL', '']]);
          yield [[null, null, null, null]];
        })(),
      );
      expect(written).toBe(values.length + 1);
      return (
        await sql<{
          t: string | null;
          a: string[] | null;
        }>`SELECT t, a FROM pg_temp.copied ORDER BY n NULLS LAST`.execute(trx)
      ).rows;
    });
    expect(read).toEqual([
      ...values.map((value) => ({ t: value, a: [value, 'NULL', ''] })),
      { t: null, a: null },
    ]);
    await copyTransaction(plain, async (_trx, copy) => expect(copy).toBeUndefined());
  });

  it('gives a first full and a delta on top the same rows by COPY as through unnest', async () => {
    const first = { state: stateManifestText(firstStateLines()), disclosures: disclosureLines() };
    const [byCopy = '', byInsert = ''] = await acknowledgeEach(
      [
        { through: db, recipientId: 'by-copy', basedOn: null },
        { through: plain, recipientId: 'by-insert', basedOn: null },
      ],
      'full',
      first,
    );
    const copied = await holding('by-copy');
    expect(copied.objects).toHaveLength(31_000);
    expect(copied.state).toEqual([{ objects: 31_000 }]);
    // A full's persons are in the spans it opened, with no row beside each (hub migration 0025).
    expect(copied.spans.length).toBeGreaterThan(12_000);
    expect(copied.disclosures).toEqual([]);
    expect(await holding('by-insert')).toEqual(copied);

    const deleted = deltaStateLines().filter((line) => line.op === 'delete').length;
    const delta = {
      state: stateManifestText(deltaStateLines()),
      disclosures: disclosureLines().slice(0, 100),
    };
    await acknowledgeEach(
      [
        { through: db, recipientId: 'by-copy', basedOn: byCopy },
        { through: plain, recipientId: 'by-insert', basedOn: byInsert },
      ],
      'delta',
      delta,
    );
    const changed = await holding('by-copy');
    expect(changed.state).toEqual([{ objects: 31_000 - deleted + 1 }]);
    expect(await holding('by-insert')).toEqual(changed);
  });

  it('stages a large change set (over 1 MiB of rows) by COPY to the same rows as through unnest', async () => {
    const first = { state: stateManifestText(firstStateLines()), disclosures: disclosureLines() };
    const [staged = '', unnested = ''] = await acknowledgeEach(
      [
        { through: db, recipientId: 'staged', basedOn: null },
        { through: db, recipientId: 'unnested', basedOn: null },
      ],
      'full',
      first,
    );
    // Every object changes (a profile change), groups get another parent, some persons go.
    const changes: StateLine[] = firstStateLines().map((line, i) =>
      line.op === 'upsert' && line.type === 'person' && i % 11 === 0
        ? { op: 'delete', type: 'person', key: line.key }
        : line.op === 'upsert'
          ? {
              ...line,
              hash: `${line.hash}-changed-${'x'.repeat(60)}`,
              ...(line.detail === undefined ? {} : { detail: { ...line.detail, parentKey: `new\t${i}` } }),
            }
          : line,
    );
    const text = stateManifestText(changes);
    expect(Buffer.byteLength(text)).toBeGreaterThan(1.2 * (1 << 20));
    const delta = { state: text, disclosures: disclosureLines().slice(0, 100) };
    await acknowledgeEach(
      [
        { through: db, recipientId: 'staged', basedOn: staged },
        { through: plain, recipientId: 'unnested', basedOn: unnested },
      ],
      'delta',
      delta,
    );
    const changed = await holding('staged');
    const deleted = changes.filter((line) => line.op === 'delete').length;
    expect(changed.state).toEqual([{ objects: 31_000 - deleted }]);
    expect(
      changed.objects.filter((row) => (row as { hash: string }).hash.includes('-changed-')),
    ).toHaveLength(31_000 - deleted);
    expect(await holding('unnested')).toEqual(changed);
  });

  it('acknowledges a transfer an earlier hub left pending with NDJSON manifests to the same rows', async () => {
    const lines = { state: firstStateLines(), disclosures: disclosureLines() };
    const asNow = await pendingTransfer('as-now', 'full');
    const asBefore = await pendingTransfer('as-before', 'full');
    const ndjson = {
      state: ndjsonStateText(lines.state),
      disclosures: lines.disclosures,
      form: 'ndjson',
    } as const;
    expect(
      await acknowledge(db, 'as-now', asNow, null, { ...lines, state: stateManifestText(lines.state) }),
    ).toBe(true);
    expect(await acknowledge(db, 'as-before', asBefore, null, ndjson)).toBe(true);
    const now = await holding('as-now');
    expect(now.objects).toHaveLength(31_000);
    expect(await holding('as-before')).toEqual(now);
    // And on PGlite's path (no COPY), a delta on top from NDJSON.
    const asBeforePlain = await pendingTransfer('as-before-plain', 'full');
    expect(await acknowledge(plain, 'as-before-plain', asBeforePlain, null, ndjson)).toBe(true);
    expect(await holding('as-before-plain')).toEqual(now);
    const delta = { state: deltaStateLines(), disclosures: disclosureLines().slice(0, 100) };
    await acknowledge(db, 'as-now', await pendingTransfer('as-now', 'delta'), asNow, {
      ...delta,
      state: stateManifestText(delta.state),
    });
    await acknowledge(
      plain,
      'as-before-plain',
      await pendingTransfer('as-before-plain', 'delta'),
      asBeforePlain,
      {
        ...delta,
        state: ndjsonStateText(delta.state),
        form: 'ndjson',
      },
    );
    expect(await holding('as-before-plain')).toEqual(await holding('as-now'));
  });

  it.each([
    [
      'the manifest breaks off mid-COPY',
      (text: string) => `${text.slice(0, text.length / 2)}\nnot json\n${text.slice(text.length / 2)}`,
    ],
    [
      'the server refuses a row mid-COPY',
      (text: string) =>
        text + formatStateLine({ op: 'upsert', type: 'person', key: 'p000000a\\b', hash: 'again' }),
    ],
  ])('leaves nothing when %s, and the next acknowledgement goes through', async (_case, spoil) => {
    const recipientId = `spoilt-${files}`;
    const transferId = await pendingTransfer(recipientId, 'full');
    const first = { state: stateManifestText(firstStateLines()), disclosures: disclosureLines() };
    await expect(
      acknowledge(db, recipientId, transferId, null, { ...first, state: spoil(first.state) }),
    ).rejects.toThrow();
    expect(await holding(recipientId)).toEqual({
      objects: [],
      state: [],
      disclosures: [],
      spans: [],
      reconfirmed: [],
    });
    const { rows } = await sql<{
      status: string;
    }>`SELECT status FROM hub.transfer WHERE id = ${transferId}`.execute(db);
    expect(rows).toEqual([{ status: 'pending' }]);
    expect(await acknowledge(db, recipientId, transferId, null, first)).toBe(true);
    expect((await holding(recipientId)).state).toEqual([{ objects: 31_000 }]);
  });
});
