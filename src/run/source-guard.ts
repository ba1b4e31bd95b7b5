import type { SourceDropLimits } from '../config/index.js';
import type { RosterSpoolCounts, SchoolCounts } from '../spool/index.js';

/** What the guard counts, in the order it reports them. */
const countedObjects = ['persons', 'groups', 'memberships'] as const;
export type CountedObject = (typeof countedObjects)[number];

/** One count that fell further than the limits allow. */
export interface SourceDrop {
  /** The school's label (organisation number, NSR id or key); undefined for the whole snapshot. */
  readonly school?: string;
  readonly object: CountedObject;
  readonly before: number;
  readonly after: number;
  /** The school is missing from the new snapshot altogether. */
  readonly schoolGone: boolean;
}

/**
 * Compares a run's snapshot with the last good one (pure: the caller reads both). A count drops when
 * it falls by more than the percent limit and by at least `minDropCount` objects. A school that is
 * gone, or has lost every person, is reported whatever its size: that is never churn. New schools and
 * growth are never reported. Per-school counts are compared only when both snapshots have them.
 * Overall drops come first, then schools, the hardest hit first.
 */
export function findSourceDrops(
  baseline: RosterSpoolCounts,
  current: RosterSpoolCounts,
  limits: SourceDropLimits,
): SourceDrop[] {
  const drops: SourceDrop[] = [];
  for (const object of countedObjects) {
    if (exceeds(baseline[object], current[object], limits.maxDropPercent, limits.minDropCount)) {
      drops.push({ object, before: baseline[object], after: current[object], schoolGone: false });
    }
  }
  if (baseline.schools === undefined || current.schools === undefined) return drops;
  const bySchool: { share: number; drops: SourceDrop[] }[] = [];
  for (const [key, before] of Object.entries(baseline.schools)) {
    const after = Object.hasOwn(current.schools, key) ? current.schools[key] : undefined;
    const schoolDrops = schoolDropsOf(before, after, limits);
    if (schoolDrops.length > 0) {
      bySchool.push({ share: Math.max(...schoolDrops.map(droppedShare)), drops: schoolDrops });
    }
  }
  bySchool.sort((a, b) => b.share - a.share);
  return [...drops, ...bySchool.flatMap((school) => school.drops)];
}

function schoolDropsOf(
  before: SchoolCounts,
  after: SchoolCounts | undefined,
  limits: SourceDropLimits,
): SourceDrop[] {
  const now = after ?? { persons: 0, groups: 0, memberships: 0 };
  // A school that vanished or lost every person is never churn, so no size or percent limit applies.
  const isWholeSchool = after === undefined || (before.persons > 0 && now.persons === 0);
  return countedObjects
    .filter((object) =>
      isWholeSchool
        ? now[object] < before[object]
        : exceeds(before[object], now[object], limits.maxSchoolDropPercent, limits.minDropCount),
    )
    .map((object) => ({
      school: before.label,
      object,
      before: before[object],
      after: now[object],
      schoolGone: after === undefined,
    }));
}

function exceeds(before: number, after: number, percent: number, minDropCount: number): boolean {
  const dropped = before - after;
  return dropped > 0 && dropped >= minDropCount && dropped * 100 > before * percent;
}

function droppedShare(drop: SourceDrop): number {
  return drop.before === 0 ? 0 : (drop.before - drop.after) / drop.before;
}

/**
 * One line with the numbers: `persons 4252 → 3609 (−15.1 %); school 974589096 persons 400 → 280
 * (−30.0 %); school 974589095 gone (had 812 persons, 40 groups, 9000 memberships)`. At most
 * `maxSchools` schools are named, the hardest hit first; the rest are counted.
 */
export function describeSourceDrops(drops: readonly SourceDrop[], maxSchools = 5): string {
  const overall = drops.filter((drop) => drop.school === undefined).map(formatCount);
  const schools = new Map<string, SourceDrop[]>();
  for (const drop of drops) {
    if (drop.school !== undefined) schools.set(drop.school, [...(schools.get(drop.school) ?? []), drop]);
  }
  const named = [...schools]
    .slice(0, maxSchools)
    .map(([school, schoolDrops]) =>
      schoolDrops[0]?.schoolGone === true
        ? `school ${school} gone (had ${schoolDrops.map((drop) => `${drop.before} ${drop.object}`).join(', ')})`
        : `school ${school} ${schoolDrops.map(formatCount).join(', ')}`,
    );
  const more = schools.size - named.length;
  return [...overall, ...named, ...(more > 0 ? [`${more} more school${more === 1 ? '' : 's'}`] : [])].join(
    '; ',
  );
}

function formatCount(drop: SourceDrop): string {
  const percent = ((100 * (drop.before - drop.after)) / drop.before).toFixed(1);
  return `${drop.object} ${drop.before} → ${drop.after} (−${percent} %)`;
}
