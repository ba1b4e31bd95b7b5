import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import {
  listPersonDisclosures,
  personDisclosuresQuery,
  readDisclosureManifest,
} from '../../../src/disclosure/index.js';
import { resyncRecipient, startExport } from '../../../src/operations/index.js';
import { readFeed } from '../../../src/pifu/index.js';
import { pseudonymFor } from '../../../src/profiles/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import { actors, operationsOver, seededDatabase } from '../operations/operations-fixture.js';

const secretVariable = 'PIFU_TEST_REGISTER_PSEUDONYM_KEY';
const secret = 'the register test pseudonym secret, 32+ bytes long';
const recipientIds = ['lms', 'directory', 'research'] as const;

/** Transfer id → categories (sorted), per person key: what the register must answer. */
type Expected = Map<string, Map<string, string[]>>;

type Step =
  | { readonly kind: 'mutate'; readonly percent: number; readonly seed: number }
  | { readonly kind: 'export'; readonly feedType: 'full' | 'delta'; readonly recipients: string[] }
  | { readonly kind: 'resync'; readonly recipient: string };

const steps = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('mutate' as const),
      percent: fc.integer({ min: 2, max: 12 }),
      seed: fc.nat(),
    }),
    fc.record({
      kind: fc.constant('export' as const),
      feedType: fc.constantFrom('full' as const, 'delta' as const),
      recipients: fc.subarray([...recipientIds], { minLength: 1 }),
    }),
    fc.record({ kind: fc.constant('resync' as const), recipient: fc.constantFrom(...recipientIds) }),
  ),
  { minLength: 1, maxLength: 5 },
);

/**
 * Every person a delivered file carries (a person record or a membership naming them, not a delete),
 * by records store key, with the categories its disclosure manifest gave them: the answer a register
 * with one row per person per transfer would give.
 */
async function carriedBy(
  db: Kysely<unknown>,
  transfer: { id: string; recipient_id: string; location: string; file_path: string },
): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ id: string }>`SELECT id::text AS id FROM records.person`.execute(db);
  const keyOf = new Map(
    rows.map(({ id }) => [
      transfer.recipient_id === 'research' ? pseudonymFor(Buffer.from(secret), id) : id,
      id,
    ]),
  );
  const document = await readFeed(readFileSync(transfer.location, 'utf8'));
  const carried = new Set<string>();
  for await (const { object, change } of document.persons())
    if (change !== 'delete') carried.add(keyOf.get(object.key) ?? object.key);
  for await (const { object, change } of document.memberships())
    if (change !== 'delete') carried.add(keyOf.get(object.personKey) ?? object.personKey);
  const categories = new Map<string, string[]>();
  const members = new Set<string>();
  for await (const line of readDisclosureManifest(transfer.file_path)) {
    if (line.kind === 'person') categories.set(line.personKey, [...line.categories]);
    else members.add(line.personKey);
  }
  for (const key of members) categories.set(key, [...(categories.get(key) ?? []), 'memberships']);
  expect([...categories.keys()].sort()).toEqual([...carried].sort());
  return new Map([...categories].map(([key, list]) => [key, list.sort()]));
}

describe('the disclosure register grows with change and answers exactly (D8)', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  const expected: Expected = new Map();
  const indexed = new Set<string>();

  beforeAll(async () => {
    process.env[secretVariable] = secret;
    database = await seededDatabase();
    const open = { feed: { safety: { maxDeletePercent: 100, maxChangePercent: 100 } } };
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms'), open),
      recipient('directory', 'directory', join(dir, 'directory'), {
        feed: { ...open.feed, accepts: ['full'] },
      }),
      recipient('research', 'analytics', join(dir, 'research'), {
        ...open,
        profile: { pseudonymise: true },
        pseudonymKey: { env: secretVariable },
      }),
    ]);
  });
  afterAll(async () => {
    delete process.env[secretVariable];
    await database.destroy();
  });

  /** Reads every delivered file not read yet into `expected`. */
  async function indexDelivered(): Promise<void> {
    const { rows } = await sql<{ id: string; recipient_id: string; location: string; file_path: string }>`
      SELECT t.id, t.recipient_id, t.location, f.file_path FROM hub.transfer t JOIN hub.feed f ON f.id = t.feed_id
      WHERE t.status = 'delivered' ORDER BY t.id`.execute(database.db);
    for (const transfer of rows.filter((row) => !indexed.has(row.id))) {
      indexed.add(transfer.id);
      for (const [key, categories] of await carriedBy(database.db, transfer)) {
        const transfers = expected.get(key) ?? new Map<string, string[]>();
        transfers.set(transfer.id, categories);
        expected.set(key, transfers);
      }
    }
  }

  async function run(step: Step): Promise<void> {
    if (step.kind === 'mutate') {
      await mutateMunicipality(database.db, { percent: step.percent, seed: step.seed });
    } else if (step.kind === 'export') {
      await startExport(ops, actors.operator, {
        recipients: step.recipients,
        feedType: step.feedType,
        acceptSourceDrop: { reason: 'the property test changes the source at random' },
      });
    } else {
      await resyncRecipient(ops, actors.operator, { recipient: step.recipient, reason: 'property test' });
    }
  }

  it('lists exactly the transfers whose delivered files carry each person, with their categories', async () => {
    await startExport(ops, actors.operator, { all: true });
    // Each case runs several exports: a fifth of FC_RUNS (25 unless set), at most 10.
    const runs = Math.min(10, Math.ceil(Number(process.env['FC_RUNS'] ?? 25) / 5));
    await fc.assert(
      fc.asyncProperty(steps, async (sequence) => {
        for (const step of sequence) await run(step);
        await indexDelivered();
        for (const [personKey, transfers] of expected) {
          const answer = await listPersonDisclosures(database.db, personKey);
          const answered = new Map(answer.map((a) => [a.transferId, [...a.categories].sort()]));
          expect(answer).toHaveLength(answered.size);
          expect(answered).toEqual(transfers);
        }
      }),
      { numRuns: runs },
    );
    // The register grew with change: a delta's row per person, a span per person a full carried changed
    // (or first), and one reconfirmation per full for the persons it carried unchanged.
    const { rows } = await sql<{ rows: number; spans: number; carried: number }>`SELECT
      (SELECT count(*)::int FROM hub.disclosure) AS rows,
      (SELECT count(*)::int FROM hub.disclosure_span) AS spans,
      (SELECT coalesce(sum(persons), 0)::int FROM hub.disclosure_reconfirmation) AS carried`.execute(
      database.db,
    );
    const answers = [...expected.values()].reduce((sum, transfers) => sum + transfers.size, 0);
    expect(answers).toBeGreaterThan(0);
    expect(rows[0]!.rows + rows[0]!.spans + rows[0]!.carried).toBe(answers);
  });

  it('records a repeated full of an unchanged roster as one reconfirmation, no rows', async () => {
    const entries = sql<{ n: number }>`SELECT ((SELECT count(*) FROM hub.disclosure)
      + (SELECT count(*) FROM hub.disclosure_span))::int AS n`;
    await startExport(ops, actors.operator, { recipients: ['lms'], feedType: 'full' });
    const before = await entries.execute(database.db);
    const report = await startExport(ops, actors.operator, { recipients: ['lms'], feedType: 'full' });
    const after = await entries.execute(database.db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    const transferId = report.feeds[0]!.transferId;
    const { rows } = await sql<{ persons: number }>`SELECT persons FROM hub.disclosure_reconfirmation
      WHERE transfer_id = ${transferId}`.execute(database.db);
    expect(rows[0]!.persons).toBe(report.feeds[0]!.persons);
    await indexDelivered();
    for (const [personKey, transfers] of expected) {
      if (!transfers.has(transferId)) continue;
      const answer = await listPersonDisclosures(database.db, personKey);
      expect(answer.map((a) => a.transferId)).toContain(transferId);
    }
  });

  it('finds a person through keys that lead with the recipient, reading no table whole', async () => {
    // No register index leads with the person: a full's rows would land among every other recipient's.
    const { rows: leading } = await sql<{ name: string }>`SELECT i.relname AS name FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
      WHERE n.nspname = 'hub' AND t.relname IN ('disclosure', 'disclosure_span')
        AND a.attname = 'person_key'`.execute(database.db);
    expect(leading).toEqual([]);

    // With sequential scans priced out, the lookup's plan still reads every table through an index.
    const personKey = [...expected.keys()][0]!;
    const scans = await database.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const { rows } = await sql<{ 'QUERY PLAN': unknown }>`EXPLAIN (FORMAT JSON) ${personDisclosuresQuery(
        personKey,
      )}`.execute(trx);
      const found: string[] = [];
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(walk);
        else if (typeof node === 'object' && node !== null) {
          const plan = node as Record<string, unknown>;
          if (typeof plan['Relation Name'] === 'string')
            found.push(`${String(plan['Node Type'])} ${plan['Relation Name']}`);
          Object.values(plan).forEach(walk);
        }
      };
      walk(rows[0]!['QUERY PLAN']);
      return found;
    });
    expect(scans.some((scan) => scan.endsWith(' disclosure'))).toBe(true);
    expect(scans.some((scan) => scan.endsWith(' disclosure_span'))).toBe(true);
    expect(scans.filter((scan) => scan.startsWith('Seq Scan'))).toEqual([]);
    expect(await listPersonDisclosures(database.db, personKey)).toHaveLength(expected.get(personKey)!.size);
  });
});
