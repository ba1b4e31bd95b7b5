import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import type { RecipientConfig } from '../../../src/config/index.js';
import {
  DisclosureManifestWriter,
  disclosureManifestFiles,
  readDisclosureManifest,
  type DisclosureLine,
} from '../../../src/disclosure/index.js';
import { parseCopyLine } from '../../../src/db/index.js';
import { loadViewInputs, recipientView, writeRecipientFeed } from '../../../src/feed/index.js';
import { feedPseudonymKey } from '../../../src/feed/pseudonym-secret.js';
import { renderRecipientFeed } from '../../../src/feed/render-recipient-feed.js';
import { forgetPerson, restrictPerson, writePreviewFeeds } from '../../../src/operations/index.js';
import { findRun, finishRun, runIds, runSpoolPaths, startRun, takeSnapshot } from '../../../src/run/index.js';
import { openRosterSpool } from '../../../src/spool/index.js';
import { formatStateLine, stateManifestPath } from '../../../src/state/index.js';
import { deliverTransfer } from '../../../src/transfer/index.js';
import { commitRecordsChange } from '../../helpers/records-change.js';
import { hubContext, operationContext, recipient, testActor } from '../../helpers/hub-fixture.js';
import { applyFeed, expectSameHolding, type RecipientHolding } from '../../helpers/recipient-holding.js';
import { shippedRecipients } from '../../helpers/recipients-dir.js';
import { scratchDir } from '../../helpers/scratch-dir.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/**
 * An LMS with guardians, an SMS recipient carrying guardians and links, a directory of staff and pupils,
 * and a pseudonymised analytics recipient (persons in pseudonym order, memberships under pseudonyms).
 */
const shipped = ['itslearning', 'skole-sms', 'skoleplattform-directory'];
const recipientIds = [...shipped, 'research'];

type Step =
  | { readonly kind: 'mutate'; readonly seed: number; readonly percent: number }
  | {
      readonly kind:
        | 'renameGroup'
        | 'renameParent'
        | 'endGroup'
        | 'dropGuardianLink'
        | 'guardianProtected'
        | 'guardianMembership'
        | 'forget';
      readonly pick: number;
    }
  | { readonly kind: 'restrict'; readonly pick: number; readonly recipient: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('mutate' as const),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    percent: fc.constantFrom(0.5, 2),
  }),
  fc.record({
    kind: fc.constantFrom(
      'renameGroup' as const,
      'renameParent' as const,
      'endGroup' as const,
      'dropGuardianLink' as const,
      'guardianProtected' as const,
      'guardianMembership' as const,
    ),
    pick: fc.nat(),
  }),
  fc.record({ kind: fc.constant('forget' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('restrict' as const),
    pick: fc.nat(),
    recipient: fc.constantFrom(...shipped),
  }),
);

/**
 * Incremental deltas (src/feed/incremental-delta.ts) on real PostgreSQL: for random sequences of source
 * changes (the change generator's moves between schools, leavers, new pupils, guardian changes, groups
 * removed and created; a group renamed or ended; a parent group renamed (its children's objects change
 * with it); a guardian link dropped; a guardian of several pupils
 * made inactive and strictly confidential; a guardian's membership changed alone) and privacy actions (a person
 * forgotten, a restriction placed), each recipient's delta — merged incrementally where its state allows
 * — is byte for byte the delta the whole view's merge gives against the same delivered state, with the
 * same state and disclosure lines; and what the recipient holds after applying it equals a fresh full.
 */
describe('an incremental delta is the whole merge’s delta, byte for byte', () => {
  let database: TestDatabase;
  let ctx: ReturnType<typeof hubContext>;
  const holdings = new Map<string, RecipientHolding>();
  const merges = new Map<string, number>();
  const applied = new Set<string>();

  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'mini' });
    ctx = hubContext(database.db, {
      recipients: (dir) =>
        [
          ...shippedRecipients(dir, shipped),
          recipient('research', 'analytics', join(dir, 'research'), { profile: { pseudonymise: true } }),
        ].map((config): RecipientConfig => ({
          ...config,
          feed: { ...config.feed, safety: { maxDeletePercent: 100, maxChangePercent: 100 } },
        })),
    });
    const runId = await startRun(ctx, { recipientIds, trigger: 'operator', feedType: 'full' });
    await runInProcess(ctx, runId);
    await catchUp();
  }, 300_000);
  afterAll(async () => database.destroy());

  /** Applies every feed delivered since the last call (a forget or restriction sends its own), in order. */
  async function catchUp(): Promise<void> {
    const delivered = await sql<{ id: string; recipient_id: string; location: string }>`
      select id, recipient_id, location from hub.transfer where status = 'delivered'
      order by delivered_at, id`.execute(database.db);
    for (const transfer of delivered.rows) {
      if (applied.has(transfer.id)) continue;
      applied.add(transfer.id);
      const xml = readFileSync(transfer.location, 'utf8');
      holdings.set(transfer.recipient_id, await applyFeed(holdings.get(transfer.recipient_id), xml));
    }
  }

  /** The delta the whole view's merge gives now, against everything the recipient holds. */
  async function wholeMerge(runId: string, recipient: RecipientConfig) {
    const run = await findRun(ctx.db, runId);
    const roster = await openRosterSpool(runSpoolPaths(ctx.spoolDir, runId).rosterDir);
    const key = await feedPseudonymKey(ctx.db, recipient);
    const inputs = await loadViewInputs(ctx.db, recipient, {
      scopeDate: run?.scopeDate ?? '',
      pseudonymKey: key?.secret,
    });
    const view = await recipientView(recipient, roster, inputs);
    const state: string[] = [];
    const disclosures: DisclosureLine[] = [];
    const { streams, xml } = renderRecipientFeed(ctx, recipient, view, {
      mode: 'delta',
      secret: key?.secret,
      scratchDir: scratchDir('pifu-whole-merge-'),
      onState: async (line) => void state.push(formatStateLine(line)),
      onDisclosure: async (line) => void disclosures.push(line),
    });
    let text = '';
    for await (const chunk of xml) text += chunk;
    return { xml: text, state, disclosures, counts: streams.counts };
  }

  async function apply(change: Step): Promise<void> {
    const ops = operationContext(ctx);
    const admin = testActor();
    switch (change.kind) {
      case 'mutate':
        await mutateMunicipality(database.db, { percent: change.percent, seed: change.seed });
        return;
      case 'renameGroup':
        return commitRecordsChange(
          database.db,
          sql`update records.roster_group set short_name = short_name || ' b'
            where id = (select id from records.roster_group where group_type in ('basisgruppe', 'undervisningsgruppe')
              order by id offset ${change.pick % 40} limit 1)`,
        );
      case 'renameParent':
        // A parent's label is part of its children's objects: they change with it, theirs unchanged.
        return commitRecordsChange(
          database.db,
          sql`update records.roster_group set short_name = short_name || ' p'
            where id = (select parent_id from records.roster_group where parent_id <> id
              group by parent_id order by parent_id offset ${change.pick % 20} limit 1)`,
        );
      case 'endGroup':
        return commitRecordsChange(
          database.db,
          sql`update records.roster_group set ends = begins
            where id = (select id from records.roster_group where group_type = 'undervisningsgruppe'
              and (ends is null or ends > begins) order by id offset ${change.pick % 20} limit 1)`,
        );
      case 'dropGuardianLink':
        return commitRecordsChange(
          database.db,
          sql`delete from records.guardian_relation where (pupil_id, guardian_id) = (
            select pupil_id, guardian_id from records.guardian_relation order by pupil_id, guardian_id
            offset ${change.pick % 50} limit 1)`,
        );
      case 'guardianProtected':
        // A guardian of several pupils changes alone: their siblings' records change with them.
        return commitRecordsChange(
          database.db,
          sql`update records.person set address_protection = 'strictly_confidential', status = 'inactive'
            where id = (select guardian_id from records.guardian_relation group by guardian_id
              having count(*) > 1 order by guardian_id offset ${change.pick % 20} limit 1)`,
        );
      case 'guardianMembership':
        // A guardian's membership alone changes: their roles are read without a change of theirs.
        return commitRecordsChange(
          database.db,
          sql`update records.membership set is_primary = not is_primary
            where (group_id, person_id, roletype) = (select m.group_id, m.person_id, m.roletype
              from records.membership m join records.roster_group g on g.id = m.group_id
              where g.group_type = 'foresattegruppe' order by m.group_id, m.person_id
              offset ${change.pick % 50} limit 1)`,
        );
      case 'forget':
        await forgetPerson(ops, admin, {
          person: await pupilWithGuardian(change.pick),
          reason: 'property test',
        });
        return;
      case 'restrict':
        await restrictPerson(ops, admin, {
          person: await pupilWithGuardian(change.pick),
          recipients: [change.recipient],
          reason: 'property test',
        });
        return;
    }
  }

  async function pupilWithGuardian(pick: number): Promise<string> {
    const { rows } = await sql<{
      id: string;
    }>`select distinct pupil_id::text as id from records.guardian_relation
      order by id offset ${pick % 200} limit 1`.execute(database.db);
    return rows[0]?.id ?? '';
  }

  async function heldPersonHashes(recipientId: string): Promise<Map<string, string>> {
    const rows = await sql<{
      object_key: string;
      hash: string;
    }>`select object_key, hash from hub.delivered_object
      where recipient_id = ${recipientId} and object_type = 1`.execute(database.db);
    return new Map(rows.rows.map((row) => [row.object_key, row.hash]));
  }

  it('holds for random change sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 3 }), async (steps) => {
        for (const change of steps) {
          await apply(change);
          await catchUp();
          const runId = await startRun(ctx, { recipientIds, trigger: 'operator', feedType: 'delta' });
          await takeSnapshot(ctx, runId);
          const ids = runIds(runId);
          for (const id of recipientIds) {
            const config = ctx.recipients.get(id) as RecipientConfig;
            const whole = await wholeMerge(runId, config);
            const heldPersons = await heldPersonHashes(id);
            const summary = await writeRecipientFeed(ctx, ids.feedId(id));
            if (summary.merge === undefined) continue;
            merges.set(`${id}: ${summary.merge}`, (merges.get(`${id}: ${summary.merge}`) ?? 0) + 1);
            if (
              change.kind === 'mutate' ||
              change.kind === 'renameGroup' ||
              change.kind === 'renameParent' ||
              change.kind === 'dropGuardianLink'
            ) {
              expect([id, summary.merge]).not.toEqual([id, 'forgotten or restricted persons changed']);
            }
            if (summary.status === 'empty') {
              expect([id, whole.counts.added + whole.counts.changed + whole.counts.deleted]).toEqual([id, 0]);
              continue;
            }
            expect([id, summary.merge, readFileSync(summary.filePath, 'utf8') === whole.xml]).toEqual([
              id,
              summary.merge,
              true,
            ]);
            // An input hash is a cache of the projection (PersonInputs): the part a delta does not merge keeps
            // the one held, which may be older than the whole merge restates (an empty delta drops its
            // restatements). What the recipient holds, every object's hash, is the same.
            const stateLines = linesOf(stateManifestPath(summary.filePath)).slice(1);
            const changes = (lines: string[]) => lines.filter((line) => !restates(line, heldPersons));
            expect(changes(stateLines)).toEqual(changes(whole.state));
            expect(stateLines.filter((line) => !whole.state.includes(line))).toEqual([]);
            expect(await manifestLines(summary.filePath)).toEqual(await writtenLines(whole.disclosures));
            await deliverTransfer(ctx, ids.transferId(id));
          }
          await finishRun(ctx, runId);
          await catchUp();
          const fulls = await writePreviewFeeds(operationContext(ctx), testActor(), {
            all: true,
            feedType: 'full',
            outDir: scratchDir('pifu-incremental-full-'),
          });
          for (const full of fulls) {
            const fresh = await applyFeed(undefined, readFileSync(full.filePath, 'utf8'));
            expectSameHolding(holdings.get(full.recipient) ?? fresh, fresh);
          }
        }
      }),
      { numRuns: 6, endOnFailure: true },
    );
    // Every recipient's deltas were merged incrementally (at least once), the pseudonymised one's too.
    for (const id of recipientIds) expect([id, merges.get(`${id}: incremental`) ?? 0]).not.toEqual([id, 0]);
  }, 1_500_000);
});

/** A state line that only restates a held person's input hash: their content hash is the one held. */
/** An upsert of a person (type code 1) to the hash the recipient holds already. */
function restates(line: string, held: ReadonlyMap<string, string>): boolean {
  const [type, key, hash] = parseCopyLine(line.slice(0, -1));
  return hash !== undefined && type === '1' && held.get(key ?? '') === hash;
}

async function manifestLines(feedPath: string): Promise<DisclosureLine[]> {
  const lines: DisclosureLine[] = [];
  for await (const line of readDisclosureManifest(feedPath)) lines.push(line);
  return lines;
}

/** The disclosure lines as a feed's manifest holds them once written (members' repeats in a row go). */
async function writtenLines(lines: readonly DisclosureLine[]): Promise<DisclosureLine[]> {
  const feedPath = join(scratchDir('pifu-whole-manifest-'), 'whole.xml');
  const writer = new DisclosureManifestWriter(disclosureManifestFiles(feedPath));
  for (const line of lines) await writer.write(line);
  await writer.close();
  return manifestLines(feedPath);
}

function linesOf(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `${line}\n`);
}
