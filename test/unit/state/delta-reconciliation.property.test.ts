import fc from 'fast-check';
import { compareKeys } from '../../../src/model/index.js';
import { readFeed, renderFeed } from '../../../src/pifu/index.js';
import { pseudonymFor, viewThroughProfile, type Profile } from '../../../src/profiles/index.js';
import {
  feedStreams,
  identityChanged,
  type HeldObject,
  type ObjectType,
  type ResendScope,
  type StateLine,
} from '../../../src/state/index.js';
import { applyFeed, expectSameHolding, type RecipientHolding } from '../../helpers/recipient-holding.js';
import { validateAllAgainstXsd } from '../pifu/feed-fixture.js';
import {
  profileArbitrary,
  rosterArrays,
  rosterOf,
  type RosterArrays,
} from '../profiles/profile-arbitraries.js';
import { scratchDir as makeScratchDir } from '../../helpers/scratch-dir.js';

const secret = new TextEncoder().encode('a test secret of at least thirty-two bytes');
/** Where a pseudonymised feed's person sort spills; a chunk of 3 makes even small rosters spill. */
const scratchDir = makeScratchDir('delta-sort-');

/** The hub's delivered state for one recipient, in memory: what the acknowledgement would commit. */
class HubState {
  readonly #objects = new Map<ObjectType, Map<string, HeldObject>>([
    ['person', new Map()],
    ['group', new Map()],
    ['membership', new Map()],
  ]);
  profile: Profile | undefined;

  held(type: ObjectType): AsyncIterable<HeldObject> {
    const sorted = [...(this.#objects.get(type)?.values() ?? [])].sort((a, b) => compareKeys(a.key, b.key));
    return (async function* () {
      yield* sorted;
    })();
  }

  get size(): number {
    return [...this.#objects.values()].reduce((sum, objects) => sum + objects.size, 0);
  }

  apply(mode: 'replace' | 'apply', lines: readonly StateLine[]): void {
    if (mode === 'replace') for (const objects of this.#objects.values()) objects.clear();
    for (const line of lines) {
      const objects = this.#objects.get(line.type);
      if (line.op === 'delete') objects?.delete(line.key);
      else
        objects?.set(line.key, {
          type: line.type,
          key: line.key,
          hash: line.hash,
          ...(line.detail ? { detail: line.detail } : {}),
          ...(line.inputHash === undefined ? {} : { inputHash: line.inputHash }),
        });
    }
  }
}

/** One export as the feed writer does it: view, plan (full or delta), streams, render; then acknowledge. */
async function exportOnce(
  arrays: RosterArrays,
  profile: Profile,
  state: HubState,
  mode: 'full' | 'delta',
  resend?: ResendScope,
): Promise<{ xml: string; counts: { added: number; changed: number; deleted: number } }> {
  const view = await viewThroughProfile(rosterOf(arrays), profile, { pseudonymKey: secret });
  // The planner's rule: a delta needs a previous delivery and an unchanged identity scheme.
  const effective =
    mode === 'delta' && state.profile !== undefined && !identityChanged(state.profile, profile)
      ? 'delta'
      : 'full';
  const lines: StateLine[] = [];
  const streams = feedStreams(view, {
    mode: effective,
    held: (type) => state.held(type),
    ...(resend === undefined ? {} : { resend }),
    feedKeyOf: (key) => (profile.pseudonymise ? pseudonymFor(secret, key) : key),
    onState: async (line) => void lines.push(line),
    onDisclosure: async () => {},
    ...(profile.pseudonymise ? { pseudonymOrder: { scratchDir, chunkSize: 3 } } : {}),
  });
  let xml = '';
  for await (const fragment of renderFeed({
    properties: view.properties,
    feedType: effective,
    orgUnits: streams.orgUnits,
    persons: streams.persons,
    groups: streams.groups,
    memberships: streams.memberships,
  })) {
    xml += fragment;
  }
  state.apply('apply', lines);
  state.profile = profile;
  if (profile.pseudonymise) await expectPersonsInKeyOrder(xml);
  return { xml, counts: streams.counts };
}

/**
 * A pseudonymised feed lists its persons (adds, changes and deletes alike) in pseudonym order, and
 * nothing but pseudonyms: the position of a record says nothing about the person's real key.
 */
async function expectPersonsInKeyOrder(xml: string): Promise<void> {
  const keys: string[] = [];
  for await (const { object } of (await readFeed(xml)).persons()) keys.push(object.key);
  expect(keys.every((key) => key.startsWith('psn-'))).toBe(true);
  expect(keys).toEqual([...keys].sort(compareKeys));
}

/** Same kind, another valid profile: a recipient whose config changed between runs. */
const step = fc.record({ roster: rosterArrays(), profile: profileArbitrary() });

describe('deltas as reconciliation', () => {
  it('applying each delivered delta in order to the previous state equals a fresh full export, object by object', async () => {
    const xmls: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 2, maxLength: 4 }),
        fc.boolean(),
        async (steps, keepProfile) => {
          const state = new HubState();
          let holding: RecipientHolding | undefined;
          const first = steps[0];
          if (first === undefined) return;
          for (const [index, { roster, profile: drawn }] of steps.entries()) {
            const profile = keepProfile ? first.profile.profile : drawn.profile;
            const { xml } = await exportOnce(roster, profile, state, index === 0 ? 'full' : 'delta');
            if (xmls.length < 60) xmls.push(xml);
            holding = await applyFeed(holding, xml);
            const fresh = await applyFeed(
              undefined,
              (await exportOnce(roster, profile, new HubState(), 'full')).xml,
            );
            expectSameHolding(holding, fresh);
          }
        },
      ),
    );
    expect(await validateAllAgainstXsd(xmls)).toEqual([]);
  });

  it('sends nothing when nothing changed, and the same changes again only when resynced', async () => {
    await fc.assert(
      fc.asyncProperty(rosterArrays(), profileArbitrary(), async (roster, { profile }) => {
        const state = new HubState();
        const full = await exportOnce(roster, profile, state, 'full');
        const again = await exportOnce(roster, profile, state, 'delta');
        expect(again.counts).toMatchObject({ added: 0, changed: 0, deleted: 0 });
        const holding = await applyFeed(undefined, full.xml);
        const resync = await exportOnce(roster, profile, state, 'delta', { everything: true });
        const objects = holding.persons.size + holding.groups.size + holding.memberships.size;
        expect(resync.counts).toMatchObject({ added: objects, changed: 0, deleted: 0 });
        expectSameHolding(await applyFeed(holding, resync.xml), holding);
      }),
    );
  });
});
