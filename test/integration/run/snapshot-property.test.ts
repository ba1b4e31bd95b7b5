import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTransport } from '../../../connectors/transports/registry.js';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import type { SourceConnector, TransportFactory } from '../../../src/ports/index.js';
import type { Group } from '../../../src/model/index.js';
import { startRun, type HubContext } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, recipient, seededDatabase } from '../../helpers/hub-fixture.js';
import { commitRecordsChange } from '../../helpers/records-change.js';

/** A hook the test sets; each runs once, at the moment its name says. */
interface Hooks {
  /** During the snapshot: after the persons stream was read, before the groups stream starts. */
  betweenStreams?: () => Promise<void>;
  /** During the run: after the first recipient's feed was written and delivered, before the next one. */
  betweenFeeds?: () => Promise<void>;
}

/** The source and transports of `ctx`, with the hooks called where their names say. */
function hooked(ctx: HubContext, hooks: Hooks): HubContext {
  const take = (name: keyof Hooks): (() => Promise<void>) | undefined => {
    const hook = hooks[name];
    delete hooks[name];
    return hook;
  };
  const source: SourceConnector = {
    lookup: ctx.source.lookup,
    openSnapshot: async (options) => {
      const snapshot = await ctx.source.openSnapshot(options);
      const hookedGroups = async function* (groups: AsyncIterable<Group>) {
        await take('betweenStreams')?.();
        yield* groups;
      };
      const { changes } = snapshot;
      return {
        ...snapshot,
        groups: () => hookedGroups(snapshot.groups()),
        // An incremental snapshot reads the changed groups alone, here.
        ...(changes === undefined
          ? {}
          : { changes: { ...changes, groups: (keys) => hookedGroups(changes.groups(keys)) } }),
      };
    },
  };
  const transportFor: TransportFactory = (config, recipientId) => {
    const transport = createTransport(config, recipientId);
    return {
      ...transport,
      kind: transport.kind,
      deliver: async (feed, options) => {
        const receipt = await transport.deliver(feed, options);
        await take('betweenFeeds')?.();
        return receipt;
      },
    };
  };
  return { ...ctx, source, transportFor };
}

/** The bytes of every feed of one full run, by recipient, in the order the run wrote them. */
async function fullRun(ctx: HubContext): Promise<Map<string, string>> {
  const runId = await startRun(ctx, {
    recipientIds: [...ctx.recipients.keys()],
    trigger: 'operator',
    feedType: 'full',
  });
  const outcome = await runInProcess(ctx, runId);
  expect(outcome).toMatchObject({ status: 'completed', delivered: ctx.recipients.size });
  const feeds = new Map<string, string>();
  for (const transfer of await listRunTransfers(ctx.db, runId))
    feeds.set(transfer.recipientId, readFileSync(transfer.location ?? '', 'utf8'));
  return feeds;
}

const uuids = (feed: string): Set<string> =>
  new Set(feed.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? []);

describe('the snapshot property: a source change committed while a run is in progress', () => {
  const database = seededDatabase('tiny');

  it('appears in no feed of that run and in every feed of the next run, never in some', async () => {
    const hooks: Hooks = {};
    const ctx = hooked(
      hubContext(database.db, {
        recipients: (dir) =>
          (['lms', 'directory', 'archive', 'sms'] as const).map((kind) =>
            recipient(kind, kind, join(dir, kind)),
          ),
      }),
      hooks,
    );
    const before = await fullRun(ctx);

    // A person and a group every recipient is sent, so each feed can show (or not show) the change.
    const common = [...before.values()]
      .map(uuids)
      .reduce((a, b) => new Set([...a].filter((id) => b.has(id))));
    const ids = [...common];
    const { rows: persons } = await sql<{ id: string; family_name: string }>`
      select id::text, family_name from records.person where id::text = any(${ids}) order by id limit 1`.execute(
      database.db,
    );
    const { rows: groups } = await sql<{ id: string; short_name: string }>`
      select id::text, short_name from records.roster_group where id::text = any(${ids}) order by id limit 1`.execute(
      database.db,
    );
    const person = persons[0]!;
    const group = groups[0]!;
    for (const feed of before.values()) {
      expect(feed).toContain(person.family_name);
      expect(feed).toContain(group.short_name);
    }

    const groupMark = 'Snapshotgruppe';
    const personMark = 'Snapshotsen';
    /**
     * Commits `change` dated on the synthetic store's own clock (one second after its latest change, as
     * the generator's mutations do), so the next run's scope date stays inside the store's school year.
     */
    const commit = (change: ReturnType<typeof sql>) => () => commitRecordsChange(database.db, change);
    hooks.betweenStreams = commit(
      sql`update records.roster_group set short_name = ${groupMark} where id::text = ${group.id}`,
    );
    hooks.betweenFeeds = commit(
      sql`update records.person set family_name = ${personMark} where id::text = ${person.id}`,
    );
    const during = await fullRun(ctx);
    // Both changes were committed while the run was in progress.
    expect(hooks).toEqual({});
    const { rows: now } = await sql<{ family_name: string; short_name: string }>`
      select family_name, (select short_name from records.roster_group where id::text = ${group.id})
      from records.person where id::text = ${person.id}`.execute(database.db);
    expect(now).toEqual([{ family_name: personMark, short_name: groupMark }]);

    // That run's feeds are, byte for byte, what the unchanged store gave: neither change is in any.
    expect([...during.keys()]).toEqual([...before.keys()]);
    for (const [id, feed] of during) {
      expect({ id, changed: feed.includes(personMark) || feed.includes(groupMark) }).toEqual({
        id,
        changed: false,
      });
      expect({ id, same: feed === before.get(id) }).toEqual({ id, same: true });
    }

    const after = await fullRun(ctx);
    for (const [id, feed] of after) {
      expect({ id, person: feed.includes(personMark), group: feed.includes(groupMark) }).toEqual({
        id,
        person: true,
        group: true,
      });
    }
  }, 180_000);
});
