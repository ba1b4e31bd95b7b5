import { compareKeys, type Roster } from '../../../src/model/index.js';
import { renderFeed } from '../../../src/pifu/index.js';
import { pseudonymFor, viewThroughProfile, type Profile } from '../../../src/profiles/index.js';
import { feedStreams, type HeldObject, type ObjectType, type StateLine } from '../../../src/state/index.js';

const secret = new TextEncoder().encode('a test secret of at least thirty-two bytes');

/** A recipient's delivered state in memory, input hashes included: what acknowledgements commit. */
export class HeldState {
  readonly objects = new Map<ObjectType, Map<string, HeldObject>>([
    ['person', new Map()],
    ['group', new Map()],
    ['membership', new Map()],
  ]);

  held(type: ObjectType): AsyncIterable<HeldObject> {
    const sorted = [...(this.objects.get(type)?.values() ?? [])].sort((a, b) => compareKeys(a.key, b.key));
    return (async function* () {
      yield* sorted;
    })();
  }

  apply(lines: readonly StateLine[]): void {
    for (const line of lines) {
      const objects = this.objects.get(line.type);
      if (line.op === 'delete') objects?.delete(line.key);
      else
        objects?.set(line.key, {
          type: line.type,
          key: line.key,
          hash: line.hash,
          ...(line.detail === undefined ? {} : { detail: line.detail }),
          ...(line.inputHash === undefined ? {} : { inputHash: line.inputHash }),
        });
    }
  }

  /** The same state as an older hub left it: no input hashes, so nothing can be reused. */
  withoutInputHashes(): HeldState {
    const copy = new HeldState();
    for (const [type, objects] of this.objects) {
      for (const [key, { inputHash: _dropped, ...object }] of objects)
        copy.objects.get(type)?.set(key, object);
    }
    return copy;
  }

  /** Every held object, input hash included, for comparing two states. */
  entries(): HeldObject[] {
    return [...this.objects.values()].flatMap((objects) =>
      [...objects.values()].sort((a, b) => compareKeys(a.key, b.key)),
    );
  }
}

export interface Exported {
  readonly xml: string;
  readonly counts: { added: number; changed: number; deleted: number };
  /** Persons the view did not decode: the delta reused what the recipient holds for them. */
  readonly reused: readonly string[];
}

/** One export as the feed writer does it, acknowledged at once into `state`. */
export async function exportOnce(
  roster: Roster,
  profile: Profile,
  state: HeldState,
  mode: 'full' | 'delta',
  options: { scopeDate?: string; restricted?: ReadonlySet<string> } = {},
): Promise<Exported> {
  const view = await viewThroughProfile(roster, profile, { pseudonymKey: secret, ...options });
  const reused: string[] = [];
  const counting: typeof view = {
    ...view,
    persons: () => view.persons(),
    groups: () => view.groups(),
    memberships: () => view.memberships(),
    async *personsReusing(reuse) {
      for await (const person of view.personsReusing(reuse)) {
        if (person.reused !== undefined) reused.push(person.personKey);
        yield person;
      }
    },
  };
  const lines: StateLine[] = [];
  const streams = feedStreams(counting, {
    mode,
    held: (type) => state.held(type),
    feedKeyOf: (key) => (profile.pseudonymise ? pseudonymFor(secret, key) : key),
    onState: async (line) => void lines.push(line),
    onDisclosure: async () => {},
  });
  let xml = '';
  for await (const fragment of renderFeed({
    properties: view.properties,
    feedType: mode,
    orgUnits: streams.orgUnits,
    persons: streams.persons,
    groups: streams.groups,
    memberships: streams.memberships,
  })) {
    xml += fragment;
  }
  state.apply(lines);
  return { xml, counts: { ...streams.counts }, reused };
}
