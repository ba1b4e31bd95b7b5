import type { RecipientConfig } from '../config/index.js';
import {
  compareKeys,
  membershipRoles,
  type Group,
  type Membership,
  type SelectiveRoster,
} from '../model/index.js';
import { GroupScope, groupScopeOf, pseudonymFor, viewCode, type ViewOptions } from '../profiles/index.js';
import type { HubContext } from '../run/hub-context.js';
import { runSpoolPaths } from '../run/run-paths.js';
import { diffRosterSpools, type SpoolDiff } from '../spool/index.js';
import {
  membershipStateKey,
  readHeldObjectsAmong,
  type HeldObject,
  type ObjectType,
  type RecipientState,
} from '../state/index.js';
import { profileHash, type FeedPlan } from './feed-plan.js';
import type { ViewInputs } from './render-recipient-feed.js';
import { sharedDerivation } from './shared-group-scopes.js';
import { excludedPersonsChangedSince } from './view-changed-since.js';

/**
 * An incremental delta (issue 14): the delivered state is exactly the view of an earlier run R's spool
 * (its ViewBasis), so when the view's other inputs are R's, the view of this run's spool differs from
 * it only where the spools do, and the delta merges just that part against just those held objects.
 * The rest of the delivered state stands. The part is found by following what the view is made of
 * (src/profiles/recipient-view.ts, recipient-scope.ts, project.ts, person-inputs.ts), with the profile,
 * scope day, excluded persons and code fixed:
 *
 * - The groups in view, their parents, org unit labels and projections depend on the groups file
 *   alone. Equal files: no group can differ. Otherwise G = the groups whose being in view, or type,
 *   differs between the two spools' scopes, and a group's object (its projection and its parent's
 *   label) can differ only where its frame does, its parent in view does, or its parent's frame does:
 *   those groups alone are merged, against just those held (a night changes a few of 27,000).
 * - A person's own roles (pupil, staff, leaver, candidate guardian) depend on their own scope facts
 *   and the schools in scope. Different schools in scope: the delta is not incremental. The guardian
 *   role depends besides on every pupil in scope with an eligible link to them. So roles can differ
 *   only for F = D (persons whose frame differs or who are in one spool only) and every guardian a D
 *   person links to in either spool: a person outside D keeps their facts and links.
 * - A person's record depends on their own record and roles, and, for a pupil, on which of their
 *   linked guardians are in view as guardians (the links sent, and the input hash). So it can differ
 *   only for P = F and every person linking to one of F as guardian (their links are the same in both
 *   spools, unless they are in D and so in F).
 * - A membership's inclusion and content depend on the membership itself, its group's being in view
 *   and type, and its person's roles: only memberships whose frame differs, those of G and those of F.
 * - The roles the part reads (P's, those of the guardians P's pupils link to, those of the listed
 *   memberships' persons) are each settled by the person's own facts and those of every pupil linking
 *   to them (SpoolDiff.scopeFacts), so when G is empty the pass over the persons reads only those
 *   facts, not every person's; with G not empty, whose members' roles it reads, it reads every person's.
 *
 * A resync, a full, another profile, scope day or code, a forgotten person or a restriction placed or
 * lifted since R's view, a spool no longer there or a change of the schools in scope: the whole view is
 * merged as always. Either way the delta is the same, byte for byte (the property test says so).
 */
export type IncrementalPart =
  | {
      readonly only: NonNullable<ViewOptions['only']>;
      readonly held: (type: ObjectType) => AsyncIterable<HeldObject>;
    }
  | { readonly only?: undefined; readonly reason: string };

export async function incrementalPart(
  ctx: HubContext,
  input: {
    readonly recipient: RecipientConfig;
    readonly plan: Extract<FeedPlan, { mode: 'full' | 'delta' }>;
    readonly state: RecipientState | undefined;
    readonly runId: string;
    readonly roster: SelectiveRoster;
    readonly inputs: ViewInputs;
    /** This run's spool's groups closed for the recipient's group scope (sharedGroupScope). */
    readonly groupScope: GroupScope;
  },
): Promise<IncrementalPart> {
  const { recipient, plan, state, inputs } = input;
  const basis = state?.viewBasis;
  if (plan.mode !== 'delta') return { reason: 'a full feed' };
  if (plan.resend !== undefined) return { reason: 'a resync' };
  if (state === undefined || basis === undefined) return { reason: 'the delivered state has no view basis' };
  if (basis.code !== viewCode()) return { reason: 'the delivered state was computed by other code' };
  if (state.scopeDate !== inputs.scopeDate) return { reason: 'another scope date' };
  if (state.profileHash !== profileHash(recipient)) return { reason: 'another profile' };
  if (await excludedPersonsChangedSince(ctx, recipient.id, new Date(basis.at))) {
    return { reason: 'forgotten or restricted persons changed' };
  }
  const rosterDir = runSpoolPaths(ctx.spoolDir, input.runId).rosterDir;
  const diff = await spoolDiff(runSpoolPaths(ctx.spoolDir, basis.runId).rosterDir, rosterDir);
  if (diff === undefined) return { reason: 'no spool of the delivered state to compare with' };
  const differ = diff.groups;
  const groups =
    differ === undefined
      ? {
          changed: new Set<string>(),
          indexes: new Set<number>(),
          inBaseView: (key: string) => input.groupScope.parentOf(key) !== undefined,
          mayDiffer: new Set<string>(),
        }
      : await sharedDerivation(
          rosterDir,
          diff,
          groupScopeOf(recipient.resolvedProfile, inputs.scopeDate),
          () => groupsThatDiffer(recipient, inputs.scopeDate, differ, input.groupScope),
        );
  if (groups === undefined) return { reason: 'the schools in scope changed' };

  const profile = recipient.resolvedProfile;
  const secret = inputs.pseudonymKey;
  const feedKeyOf =
    profile.pseudonymise && secret !== undefined
      ? (key: string) => pseudonymFor(secret, key)
      : (key: string) => key;
  const db = ctx.db;
  const heldMemberships = () =>
    readHeldObjectsAmong(db, recipient.id, 'membership', {
      // Held memberships are the base view's, so of groups in it: no other is looked for.
      keys: [...diff.memberships.base, ...diff.memberships.current]
        .filter((membership) => groups.inBaseView(membership.groupKey))
        .map((membership) =>
          membershipStateKey({ ...membership, personKey: feedKeyOf(membership.personKey) }),
        ),
      prefixes: groups.changed,
    });
  const held: Record<ObjectType, () => AsyncIterable<HeldObject>> = {
    person: () =>
      lazily(() => readHeldObjectsAmong(db, recipient.id, 'person', { keys: diff.recordsMayDiffer })),
    group: () =>
      lazily(async () =>
        groups.mayDiffer.size === 0
          ? []
          : readHeldObjectsAmong(db, recipient.id, 'group', { keys: groups.mayDiffer }),
      ),
    membership: () => lazily(heldMemberships),
  };
  return {
    only: {
      persons: (key) => diff.recordsMayDiffer.has(key),
      // Only the groups whose object may differ are merged (none when the groups files are equal).
      groups: (key) => groups.mayDiffer.has(key),
      ...(diff.records === undefined ? {} : { personFrames: diff.records }),
      // With no group's being in view changed, the part reads the roles of known persons only.
      ...(groups.indexes.size === 0 ? { scopeFacts: diff.scopeFacts } : {}),
      memberships: () =>
        mergeMemberships(
          // No group's being in view changed: nothing of the spool's memberships but what the diff lists.
          groups.indexes.size === 0
            ? lazily(async () => [])
            : input.roster.membershipsWhere(
                (index) => groups.indexes.has(index),
                () => true,
              ),
          diff.memberships.current,
        ),
    },
    held: (type) => held[type](),
  };
}

/** This process's last comparison of two spools: every recipient of a run with the same base shares it. */
let lastDiff: { readonly key: string; readonly diff: Promise<SpoolDiff | undefined> } | undefined;

function spoolDiff(baseDir: string, currentDir: string): Promise<SpoolDiff | undefined> {
  const key = `${baseDir}\u0000${currentDir}`;
  if (lastDiff?.key !== key) {
    // A spool out of order (never written so) is no basis either: the whole view is merged.
    lastDiff = { key, diff: diffRosterSpools(baseDir, currentDir).catch(() => undefined) };
  }
  return lastDiff.diff;
}

/**
 * The groups whose being in view or type differs between the base spool's scope and this one's (keys,
 * and positions in this spool's groups file), or undefined when the schools in scope differ. The base's
 * groups are this spool's, less those that differ, with the base's own of those (SpoolDiff.groups):
 * equal frames, equal groups.
 */
async function groupsThatDiffer(
  recipient: RecipientConfig,
  scopeDate: string,
  differ: NonNullable<SpoolDiff['groups']>,
  current: GroupScope,
): Promise<GroupsThatDiffer | undefined> {
  const base = GroupScope.over(baseGroups(differ, current), recipient.resolvedProfile, scopeDate);
  const schools = { before: base.schools, after: current.schools };
  if (
    schools.before.size !== schools.after.size ||
    [...schools.before].some((key) => !schools.after.has(key))
  ) {
    return undefined;
  }
  // One walk of this spool's groups, each group's parent in view looked up on both sides (in view: it
  // has one), no map of either view made. A group's object is its projection and its parent's label
  // (recipient-delta.ts): it can differ only where its frame does, where its parent in view does
  // (coming into view or leaving it among them), or where its parent's frame does. Its type can differ
  // only where its frame does.
  const framed = new Set([...differ.base.map((group) => group.key), ...differ.current]);
  const changed = new Set<string>();
  const mayDiffer = new Set(framed);
  const indexes = new Set<number>();
  let index = 0;
  for (const key of current.keys()) {
    const parent = current.parentOf(key);
    const parentBefore = base.parentOf(key);
    if (parent !== parentBefore || (parent !== undefined && framed.has(parent))) mayDiffer.add(key);
    if (
      (parent === undefined) !== (parentBefore === undefined) ||
      (parent !== undefined && framed.has(key) && current.typeOf(key) !== base.typeOf(key))
    ) {
      changed.add(key);
      indexes.add(index);
    }
    index++;
  }
  // The base's groups this spool no longer has: changed where they were in view.
  for (const { key } of differ.base) {
    if (current.typeOf(key) === undefined && base.parentOf(key) !== undefined) changed.add(key);
  }
  const inBaseView = (key: string) => base.parentOf(key) !== undefined;
  return { changed, indexes, inBaseView, mayDiffer };
}

/** The base spool's groups, by comparison of spools: gathered once, shared by every group scope's. */
const baseGroupsKept = new WeakMap<object, ReadonlyMap<string, Group>>();

/**
 * The base spool's groups by key, in its order: this spool's, less those that differ, with the base's
 * own of those (SpoolDiff.groups): equal frames, equal groups.
 */
function baseGroups(
  differ: NonNullable<SpoolDiff['groups']>,
  current: GroupScope,
): ReadonlyMap<string, Group> {
  const kept = baseGroupsKept.get(differ);
  if (kept !== undefined) return kept;
  const base = new Map<string, Group>();
  const add = (group: Group) => base.set(group.key, group);
  let at = 0;
  for (const group of current.groups()) {
    for (; at < differ.base.length && compareKeys((differ.base[at] as Group).key, group.key) < 0; at++) {
      add(differ.base[at] as Group);
    }
    if (!differ.current.has(group.key)) add(group);
    else if (differ.base[at]?.key === group.key) add(differ.base[at++] as Group);
  }
  for (; at < differ.base.length; at++) add(differ.base[at] as Group);
  baseGroupsKept.set(differ, base);
  return base;
}

/**
 * The groups whose being in view or type differs (keys, and positions in this spool's groups file),
 * and whether a group was in the base spool's view.
 */
interface GroupsThatDiffer {
  readonly changed: ReadonlySet<string>;
  readonly indexes: ReadonlySet<number>;
  readonly inBaseView: (groupKey: string) => boolean;
  /** The groups whose object in the view may differ from the base view's (see groupsThatDiffer). */
  readonly mayDiffer: ReadonlySet<string>;
}

/** Two streams of memberships in canonical order as one, each membership once. */
async function* mergeMemberships(
  streamed: AsyncIterable<Membership>,
  listed: readonly Membership[],
): AsyncGenerator<Membership> {
  let at = 0;
  for await (const membership of streamed) {
    for (; at < listed.length; at++) {
      const other = listed[at] as Membership;
      const order = compareMemberships(other, membership);
      if (order > 0) break;
      if (order < 0) yield other;
    }
    yield membership;
  }
  yield* listed.slice(at);
}

function compareMemberships(a: Membership, b: Membership): number {
  return (
    compareKeys(a.groupKey, b.groupKey) ||
    compareKeys(a.personKey, b.personKey) ||
    membershipRoles.indexOf(a.role) - membershipRoles.indexOf(b.role)
  );
}

async function* lazily<T>(read: () => Promise<readonly T[]>): AsyncGenerator<T> {
  yield* await read();
}
