import fc from 'fast-check';
import { defaultSourceDropLimits, type SourceDropLimits } from '../../../src/config/index.js';
import { describeSourceDrops, findSourceDrops } from '../../../src/run/index.js';
import type { RosterSpoolCounts, SchoolCounts } from '../../../src/spool/index.js';

const limits: SourceDropLimits = { maxDropPercent: 10, maxSchoolDropPercent: 25, minDropCount: 10 };

function school(label: string, persons: number, groups = 20, memberships = persons * 8): SchoolCounts {
  return { label, persons, groups, memberships };
}

function snapshot(
  totals: [persons: number, groups: number, memberships: number],
  schools?: Record<string, SchoolCounts>,
): RosterSpoolCounts {
  const [persons, groups, memberships] = totals;
  return { persons, groups, memberships, ...(schools === undefined ? {} : { schools }) };
}

const baseline = snapshot([4252, 300, 30_000], {
  'key-a': school('974589095', 812),
  'key-b': school('974589096', 400),
  'key-c': school('974589097', 30, 6),
});

describe('the source sanity guard', () => {
  it('passes an unchanged snapshot and one that only grew', () => {
    expect(findSourceDrops(baseline, baseline, limits)).toEqual([]);
    const grown = snapshot([5000, 320, 33_000], {
      ...baseline.schools,
      'key-a': school('974589095', 900),
      'key-new': school('974589099', 100),
    });
    expect(findSourceDrops(baseline, grown, limits)).toEqual([]);
  });

  it('reports the whole snapshot shrinking past the limit, with the numbers', () => {
    const current = snapshot([3609, 300, 30_000], baseline.schools);
    const drops = findSourceDrops(baseline, current, limits);
    expect(drops).toEqual([{ object: 'persons', before: 4252, after: 3609, schoolGone: false }]);
    expect(describeSourceDrops(drops)).toBe('persons 4252 → 3609 (−15.1 %)');
  });

  it('reports one school losing more than its limit while the whole stays under its own', () => {
    const current = snapshot([4132, 300, 29_040], {
      ...baseline.schools,
      'key-b': school('974589096', 280),
    });
    const drops = findSourceDrops(baseline, current, limits);
    expect(drops.map((drop) => [drop.school, drop.object, drop.before, drop.after])).toEqual([
      ['974589096', 'persons', 400, 280],
      ['974589096', 'memberships', 3200, 2240],
    ]);
    expect(describeSourceDrops(drops)).toBe(
      'school 974589096 persons 400 → 280 (−30.0 %), memberships 3200 → 2240 (−30.0 %)',
    );
  });

  it('lets a drop of exactly the limit through: only more than the percent counts', () => {
    const at = (persons: number) =>
      snapshot([4252, 300, 30_000], {
        ...baseline.schools,
        'key-b': school('974589096', persons, 20, 3200),
      });
    expect(findSourceDrops(baseline, at(300), limits)).toEqual([]);
    expect(findSourceDrops(baseline, at(299), limits)).toEqual([
      { school: '974589096', object: 'persons', before: 400, after: 299, schoolGone: false },
    ]);
  });

  it('raises no alarm for a tiny school losing fewer objects than the minimum, whatever its percent', () => {
    const current = snapshot([4244, 300, 30_000], {
      ...baseline.schools,
      'key-c': school('974589097', 22, 3, 240),
    });
    expect(findSourceDrops(baseline, current, limits)).toEqual([]);
    expect(findSourceDrops(baseline, current, { ...limits, minDropCount: 3 })).toHaveLength(2);
  });

  it('reports a school that vanished, or lost every person, however small it was', () => {
    const { 'key-c': _gone, ...rest } = baseline.schools!;
    const vanished = findSourceDrops(baseline, snapshot([4222, 294, 29_760], rest), limits);
    expect(vanished.every((drop) => drop.school === '974589097' && drop.schoolGone)).toBe(true);
    expect(describeSourceDrops(vanished)).toBe(
      'school 974589097 gone (had 30 persons, 6 groups, 240 memberships)',
    );
    const emptied = findSourceDrops(
      baseline,
      snapshot([4222, 300, 29_760], { ...rest, 'key-c': school('974589097', 0, 6, 0) }),
      limits,
    );
    expect(emptied.map((drop) => [drop.object, drop.after, drop.schoolGone])).toEqual([
      ['persons', 0, false],
      ['memberships', 0, false],
    ]);
  });

  it('compares totals only when either snapshot has no per-school counts (a run from before them)', () => {
    const old = snapshot([4252, 300, 30_000]);
    const current = snapshot([4252, 300, 30_000], { 'key-a': school('974589095', 812) });
    expect(findSourceDrops(old, current, limits)).toEqual([]);
    expect(findSourceDrops(current, old, limits)).toEqual([]);
  });

  it('lists the whole snapshot first, then the hardest-hit schools, and counts the rest', () => {
    const schools = Object.fromEntries(
      Array.from({ length: 8 }, (_, index) => [`k${index}`, school(`9700000${index}`, 100)]),
    );
    const before = snapshot([1000, 100, 8000], schools);
    const after = snapshot(
      [500, 100, 8000],
      Object.fromEntries(
        Array.from({ length: 8 }, (_, index) => [
          `k${index}`,
          school(`9700000${index}`, 60 - index, 20, 800),
        ]),
      ),
    );
    const text = describeSourceDrops(findSourceDrops(before, after, limits));
    expect(text).toMatch(
      /^persons 1000 → 500 \(−50\.0 %\); school 97000007 persons 100 → 53 .*; school 97000003 .*; 3 more schools$/,
    );
  });

  it('never reports growth, and always reports a drop of everything (property)', () => {
    const counts = fc.record({
      persons: fc.nat(100_000),
      groups: fc.nat(10_000),
      memberships: fc.nat(1_000_000),
    });
    fc.assert(
      fc.property(counts, counts, (before, after) => {
        const drops = findSourceDrops(before, after, defaultSourceDropLimits);
        for (const drop of drops) expect(drop.after).toBeLessThan(drop.before);
        const everything = findSourceDrops(before, { persons: 0, groups: 0, memberships: 0 }, limits);
        const big = (['persons', 'groups', 'memberships'] as const).filter((key) => before[key] >= 10);
        expect(everything.map((drop) => drop.object)).toEqual(big);
      }),
    );
  });
});
