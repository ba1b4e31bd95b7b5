import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { compareKeys } from '../../../src/model/index.js';
import { startExport, type OperationContext } from '../../../src/operations/index.js';
import { readFeed } from '../../../src/pifu/index.js';
import { pseudonymFor } from '../../../src/profiles/index.js';
import { captureLogger, hubContext, operationContext, recipient } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { actors } from '../operations/operations-fixture.js';

const secretVariable = 'PIFU_TEST_RESEARCH_PSEUDONYM_KEY';
const secretA = 'first research pseudonym secret, 32 bytes or more';
const secretB = 'second research pseudonym secret, after rotation';

/** Spearman's rank correlation of two rankings of the same n items (no ties). */
function rankCorrelation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const squared = a.reduce((sum, rank, index) => sum + (rank - b[index]!) ** 2, 0);
  return 1 - (6 * squared) / (n * (n * n - 1));
}

describe('pseudonymised feeds', () => {
  let database: TestDatabase;
  let ops: OperationContext;
  let lines: string[];

  beforeAll(async () => {
    // The mini municipality: enough persons for the order test to mean something.
    database = await createTestDatabase({ seeded: 'mini' });
    process.env[secretVariable] = secretA;
    const captured = captureLogger('info');
    lines = captured.lines;
    ops = operationContext(
      hubContext(database.db, {
        logger: captured.logger,
        recipients: (dir) => [
          recipient('research', 'analytics', join(dir, 'research'), {
            profile: { pseudonymise: true },
            pseudonymKey: { env: secretVariable },
            feed: { safety: { maxDeletePercent: 100, maxChangePercent: 100 } },
          }),
        ],
      }),
    );
  });
  afterAll(async () => {
    delete process.env[secretVariable];
    await database.destroy();
  });

  async function feedKeys(file: string | null): Promise<{ persons: string[]; members: string[][] }> {
    const document = await readFeed(readFileSync(file!, 'utf8'));
    const persons: string[] = [];
    for await (const { object } of document.persons()) persons.push(object.key);
    const byGroup = new Map<string, string[]>();
    for await (const { object } of document.memberships()) {
      byGroup.set(object.groupKey, [...(byGroup.get(object.groupKey) ?? []), object.personKey]);
    }
    return { persons, members: [...byGroup.values()] };
  }

  it('list persons in pseudonym order, so a position tells nothing of the real key', async () => {
    const report = await startExport(ops, actors.operator, { all: true });
    const { persons, members } = await feedKeys(report.feeds[0]!.file);
    expect(persons.length).toBeGreaterThan(300);
    expect(persons).toEqual([...persons].sort(compareKeys));
    // Memberships: group by group, and inside a group by pseudonym too.
    for (const group of members) expect(group).toEqual([...group].sort(compareKeys));

    // Back to the real keys (the test knows the secret): their order against the feed's is noise.
    const { rows } = await sql<{ id: string }>`SELECT id::text FROM records.person`.execute(database.db);
    const realOf = new Map(rows.map(({ id }) => [pseudonymFor(Buffer.from(secretA), id), id]));
    const real = persons.map((pseudonym) => realOf.get(pseudonym)!);
    expect(real.every((key) => key !== undefined)).toBe(true);
    const realRank = new Map([...real].sort(compareKeys).map((key, rank) => [key, rank]));
    const rho = rankCorrelation(
      real.map((key) => realRank.get(key)!),
      real.map((_, position) => position),
    );
    // Independent rankings of n items: rho has a standard deviation of 1/sqrt(n - 1).
    expect(Math.abs(rho)).toBeLessThan(3 / Math.sqrt(persons.length - 1));
  });

  it('a rotated secret renames everyone: the next delta is a full, logged, with the new fingerprint', async () => {
    const quiet = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    expect(quiet.feeds[0]).toMatchObject({ status: 'skipped' });

    process.env[secretVariable] = secretB;
    const rotated = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    expect(rotated.feeds[0]).toMatchObject({ status: 'delivered', type: 'full' });
    const { persons } = await feedKeys(rotated.feeds[0]!.file);
    const { rows } = await sql<{ id: string }>`SELECT id::text FROM records.person`.execute(database.db);
    const renamed = new Set(rows.map(({ id }) => pseudonymFor(Buffer.from(secretB), id)));
    expect(persons.every((pseudonym) => renamed.has(pseudonym))).toBe(true);

    const warning = lines
      .map((line) => JSON.parse(line) as { msg: string; recipientId?: string; previous?: string })
      .find((line) => line.msg.startsWith('pseudonym secret rotated'));
    expect(warning).toMatchObject({ recipientId: 'research', previous: expect.stringMatching(/^fp-/) });
    // The log names fingerprints, never a secret.
    expect(lines.join('\n')).not.toContain(secretA);
    expect(lines.join('\n')).not.toContain(secretB);
    const fingerprints = await sql<{ pseudonym_fingerprint: string | null }>`SELECT f.pseudonym_fingerprint
      FROM hub.feed f JOIN hub.transfer t ON t.feed_id = f.id WHERE t.status = 'delivered'
      ORDER BY f.written_at`.execute(database.db);
    const [first, last] = [fingerprints.rows[0], fingerprints.rows.at(-1)];
    expect(first?.pseudonym_fingerprint).toMatch(/^fp-[0-9a-f]{16}$/);
    expect(last?.pseudonym_fingerprint).not.toBe(first?.pseudonym_fingerprint);

    // After the full, the state is keyed to the new pseudonyms: the next delta is quiet again.
    const after = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    expect(after.feeds[0]).toMatchObject({ status: 'skipped' });
  });
});
