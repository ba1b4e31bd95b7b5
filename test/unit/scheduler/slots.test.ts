import { jest } from '@jest/globals';
import fc from 'fast-check';
import cron from 'node-cron';
import {
  checkPlanHours,
  dueSlots,
  formatLocalSlot,
  maxSlotWindowHours,
  parseSchedule,
  recipientSchedules,
  scheduledRunId,
  slotRuns,
  slotsBetween,
} from '../../../src/schedule/index.js';
import { loadRecipientConfigs } from '../../../src/config/index.js';
import { recipient } from '../../helpers/hub-fixture.js';

const iso = (dates: readonly Date[]): string[] => dates.map((date) => date.toISOString());
const at = (text: string): Date => new Date(text);
const local = (dates: readonly Date[]): string[] => dates.map((date) => formatLocalSlot(date));
const gaps = (dates: readonly Date[]): number[] =>
  dates.slice(1).map((date, index) => (date.getTime() - dates[index]!.getTime()) / 60_000);

/** A simulated night around each change: noon the day before to noon the day after, UTC. */
const springNight = [at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z')] as const;
const autumnNight = [at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z')] as const;

describe('slotsBetween in Europe/Oslo over the spring-forward night (2026-03-29 02:00 → 03:00)', () => {
  it('0 2 * * *: 02:00 does not exist; it fires once, shifted by the gap to 03:00 CEST', () => {
    const slots = slotsBetween('0 2 * * *', ...springNight);
    expect(iso(slots)).toEqual(['2026-03-29T01:00:00.000Z']);
    expect(local(slots)).toEqual(['2026-03-29T03:00+02:00']);
  });

  it('30 2 * * *: 02:30 does not exist; it fires once, at 03:30 CEST', () => {
    const slots = slotsBetween('30 2 * * *', ...springNight);
    expect(local(slots)).toEqual(['2026-03-29T03:30+02:00']);
    expect(iso(slots)).toEqual(['2026-03-29T01:30:00.000Z']);
  });

  it('the night before and after: 02:30 at its usual offset', () => {
    expect(local(slotsBetween('30 2 * * *', at('2026-03-27T12:00Z'), at('2026-03-31T12:00Z')))).toEqual([
      '2026-03-28T02:30+01:00',
      '2026-03-29T03:30+02:00',
      '2026-03-30T02:30+02:00',
      '2026-03-31T02:30+02:00',
    ]);
  });

  it('0 * * * *: 23 slots in the 23-hour local day, one per real hour, none twice', () => {
    const slots = slotsBetween('0 * * * *', at('2026-03-28T22:59:59Z'), at('2026-03-29T21:59:59Z'));
    expect(slots).toHaveLength(23);
    expect(gaps(slots).every((gap) => gap === 60)).toBe(true);
    expect(local(slots).slice(0, 4)).toEqual([
      '2026-03-29T00:00+01:00',
      '2026-03-29T01:00+01:00',
      '2026-03-29T03:00+02:00',
      '2026-03-29T04:00+02:00',
    ]);
    expect(local(slots).at(-1)).toBe('2026-03-29T23:00+02:00');
  });

  it('*/15 7-17 * * 1-5: nothing on the weekend; Friday in CET, Monday in CEST, 44 slots each', () => {
    const slots = slotsBetween('*/15 7-17 * * 1-5', at('2026-03-26T23:00Z'), at('2026-03-30T22:00Z'));
    expect(slots).toHaveLength(88);
    const friday = slots.filter((slot) => slot.toISOString().startsWith('2026-03-27'));
    const monday = slots.filter((slot) => slot.toISOString().startsWith('2026-03-30'));
    expect(friday).toHaveLength(44);
    expect(monday).toHaveLength(44);
    expect(iso([friday[0]!, friday.at(-1)!])).toEqual([
      '2026-03-27T06:00:00.000Z',
      '2026-03-27T16:45:00.000Z',
    ]);
    expect(iso([monday[0]!, monday.at(-1)!])).toEqual([
      '2026-03-30T05:00:00.000Z',
      '2026-03-30T15:45:00.000Z',
    ]);
    expect(slotsBetween('*/15 7-17 * * 1-5', ...springNight)).toEqual([]);
  });

  it('*/15 * * * *: the gap times collapse into the real 03:xx slots (92 in the day)', () => {
    const slots = slotsBetween('*/15 * * * *', at('2026-03-28T22:59:59Z'), at('2026-03-29T21:59:59Z'));
    expect(slots).toHaveLength(92);
    expect(gaps(slots).every((gap) => gap === 15)).toBe(true);
  });
});

describe('slotsBetween in Europe/Oslo over the fall-back night (2026-10-25 03:00 → 02:00)', () => {
  it('0 2 * * *: 02:00 happens twice; it fires once, at the first (CEST)', () => {
    const slots = slotsBetween('0 2 * * *', ...autumnNight);
    expect(iso(slots)).toEqual(['2026-10-25T00:00:00.000Z']);
    expect(local(slots)).toEqual(['2026-10-25T02:00+02:00']);
  });

  it('30 2 * * *: fires exactly once that day, at 02:30 CEST', () => {
    const slots = slotsBetween('30 2 * * *', at('2026-10-24T22:00Z'), at('2026-10-25T23:00Z'));
    expect(local(slots)).toEqual(['2026-10-25T02:30+02:00']);
    expect(iso(slots)).toEqual(['2026-10-25T00:30:00.000Z']);
  });

  it('0 * * * *: 25 slots in the 25-hour local day, one per real hour: 02:00 CEST and 02:00 CET both', () => {
    const slots = slotsBetween('0 * * * *', at('2026-10-24T21:59:59Z'), at('2026-10-25T22:59:59Z'));
    expect(slots).toHaveLength(25);
    expect(gaps(slots).every((gap) => gap === 60)).toBe(true);
    expect(local(slots).slice(1, 5)).toEqual([
      '2026-10-25T01:00+02:00',
      '2026-10-25T02:00+02:00',
      '2026-10-25T02:00+01:00',
      '2026-10-25T03:00+01:00',
    ]);
  });

  it('*/15 7-17 * * 1-5: Friday in CEST, Monday in CET, 44 slots each, nothing on the weekend', () => {
    const slots = slotsBetween('*/15 7-17 * * 1-5', at('2026-10-22T22:00Z'), at('2026-10-26T23:00Z'));
    expect(slots).toHaveLength(88);
    expect(iso([slots[0]!, slots[43]!, slots[44]!, slots[87]!])).toEqual([
      '2026-10-23T05:00:00.000Z',
      '2026-10-23T15:45:00.000Z',
      '2026-10-26T06:00:00.000Z',
      '2026-10-26T16:45:00.000Z',
    ]);
    expect(slotsBetween('*/15 7-17 * * 1-5', ...autumnNight)).toEqual([]);
  });

  it('*/15 2 * * *: a fixed hour fires at the first occurrence only (4 slots, not 8)', () => {
    expect(local(slotsBetween('*/15 2 * * *', ...autumnNight))).toEqual([
      '2026-10-25T02:00+02:00',
      '2026-10-25T02:15+02:00',
      '2026-10-25T02:30+02:00',
      '2026-10-25T02:45+02:00',
    ]);
  });
});

describe('slotsBetween: windows', () => {
  const expressions = ['0 2 * * *', '30 2 * * *', '*/15 7-17 * * 1-5', '0 * * * *', '*/15 * * * *'];

  it('contiguous windows partition the slots: ticks at any times fire each slot exactly once', () => {
    const nights = [
      [Date.parse('2026-03-27T12:00:00Z'), Date.parse('2026-03-31T12:00:00Z')],
      [Date.parse('2026-10-23T12:00:00Z'), Date.parse('2026-10-27T12:00:00Z')],
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...expressions),
        fc.constantFrom(...nights),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
        (expression, [start, end], cuts) => {
          const points = [
            start,
            ...cuts.map((cut) => Math.round(start + cut * (end - start))).sort((a, b) => a - b),
            end,
          ];
          const ticked = points
            .slice(1)
            .flatMap((point, index) => slotsBetween(expression, new Date(points[index]!), new Date(point)));
          expect(iso(ticked)).toEqual(iso(slotsBetween(expression, new Date(start), new Date(end))));
        },
      ),
    );
  });

  it('a slot at the end of the window is in it; one at its start is not', () => {
    expect(iso(slotsBetween('0 2 * * *', at('2026-06-01T00:00Z'), at('2026-06-02T00:00Z')))).toEqual([
      '2026-06-02T00:00:00.000Z',
    ]);
    expect(slotsBetween('0 2 * * *', at('2026-06-02T00:00Z'), at('2026-06-02T12:00Z'))).toEqual([]);
    expect(slotsBetween('0 2 * * *', at('2026-06-02T12:00Z'), at('2026-06-02T00:00Z'))).toEqual([]);
  });

  it('reads names, steps, L, W and # as node-cron does', () => {
    const month = [at('2026-05-31T22:00Z'), at('2026-06-30T22:00Z')] as const; // June 2026, Oslo
    expect(local(slotsBetween('0 5 L * *', ...month))).toEqual(['2026-06-30T05:00+02:00']);
    expect(local(slotsBetween('0 5 * * mon#2', ...month))).toEqual(['2026-06-08T05:00+02:00']);
    expect(local(slotsBetween('0 5 * * 5L', ...month))).toEqual(['2026-06-26T05:00+02:00']);
    expect(local(slotsBetween('0 5 6W * *', ...month))).toEqual(['2026-06-05T05:00+02:00']); // 6th is a Saturday
    expect(local(slotsBetween('0 5 L-2 jun *', ...month))).toEqual(['2026-06-28T05:00+02:00']);
    expect(slotsBetween('0 6 1 10 *', at('2026-01-01T00:00Z'), at('2027-01-01T00:00Z'))).toHaveLength(1);
  });

  it('refuses what it cannot fire: not cron, any seconds field (even 0), an unknown zone', () => {
    expect(() => parseSchedule('every night')).toThrow(/PIFU_CONFIG_INVALID: schedule "every night"/);
    expect(() => parseSchedule('30 0 2 * * *')).toThrow(/has a seconds field; .*minute resolution/);
    expect(() => parseSchedule('0 0 2 * * *')).toThrow(/has a seconds field; .*use five fields/);
    expect(parseSchedule(' 0  2 * * * ').hours).toEqual([2]);
    expect(() =>
      slotsBetween('0 2 * * *', at('2026-01-01T00:00Z'), at('2026-01-02T00:00Z'), 'Mars/Olympus'),
    ).toThrow(/not an IANA time zone/);
  });

  it('agrees with node-cron on ordinary days (away from DST changes)', () => {
    jest.useFakeTimers({ now: at('2026-05-04T10:07:00Z') });
    try {
      for (const expression of ['0 2 * * *', '30 2 * * *', '*/15 7-17 * * 1-5', '0 * * * *', '0 4 * * 1']) {
        const task = cron.createTask(expression, () => undefined, { timezone: 'Europe/Oslo' });
        const theirs = task.getNextRuns(60);
        void task.destroy();
        const ours = slotsBetween(expression, new Date(), theirs.at(-1)!);
        expect(iso(ours)).toEqual(iso(theirs));
      }
    } finally {
      jest.useRealTimers();
    }
  });

  it('where node-cron itself differs at DST (why it is only the tick source): it skips 02:30 in the gap, and fires a repeated 02:30 at its second occurrence', () => {
    const nextRuns = (now: string, expression: string, count: number): string[] => {
      jest.useFakeTimers({ now: at(now) });
      try {
        const task = cron.createTask(expression, () => undefined, { timezone: 'Europe/Oslo' });
        const runs = task.getNextRuns(count);
        void task.destroy();
        return iso(runs);
      } finally {
        jest.useRealTimers();
      }
    };
    expect(nextRuns('2026-03-28T12:00:00Z', '30 2 * * *', 1)).toEqual(['2026-03-30T00:30:00.000Z']);
    expect(nextRuns('2026-10-24T12:00:00Z', '30 2 * * *', 1)).toEqual(['2026-10-25T01:30:00.000Z']);
  });
});

describe('dueSlots: a bounded window', () => {
  const schedules = [{ recipientId: 'itslearning', kind: 'delta', expression: '0 * * * *' }] as const;

  it('computes a window of up to 744 hours (31 days): every hour of it', () => {
    const from = at('2026-01-01T00:00Z');
    const slots = dueSlots(schedules, from, new Date(from.getTime() + maxSlotWindowHours * 3_600_000));
    expect(maxSlotWindowHours).toBe(744);
    expect(slots).toHaveLength(744);
  });

  it('refuses a longer or unreadable window with PIFU_USAGE_INVALID before computing anything', () => {
    const from = at('2026-01-01T00:00Z');
    expect(() => dueSlots(schedules, from, new Date(from.getTime() + 99_999_999 * 3_600_000))).toThrow(
      'PIFU_USAGE_INVALID: a slot window covers at most 744 hours (31 days), not 99999999; ask for a shorter window',
    );
    expect(() => dueSlots(schedules, from, new Date(Number.NaN))).toThrow(
      'PIFU_USAGE_INVALID: a slot window needs a valid start and end time',
    );
  });

  it.each([0, 745, 99_999_999, 1.5])('a plan of %p hours is refused with its bounds', (hours) => {
    expect(() => checkPlanHours(hours)).toThrow(
      `PIFU_USAGE_INVALID: a plan covers 1 to 744 hours (31 days), not ${hours}`,
    );
  });

  it('a plan of 1 to 744 hours is accepted as is', () => {
    expect([1, 24, 744].map(checkPlanHours)).toEqual([1, 24, 744]);
  });
});

describe('recipients schedules, slots and run ids', () => {
  const dir = '/tmp/pifu-unused';
  const recipients = [
    recipient('itslearning', 'lms', dir, { schedule: { full: '0 2 * * *', delta: '0 * * * *' } }),
    recipient('websak', 'archive', dir, {
      schedule: { full: '30 2 * * *', delta: '0 * * * *' },
      feed: { accepts: ['full'] },
    }),
    recipient('skole-sms', 'sms', dir),
  ];

  it('one schedule per configured kind; a delta schedule of a full-only recipient is ignored, with the reason', () => {
    const { schedules, ignored } = recipientSchedules(recipients);
    expect(schedules).toEqual([
      { recipientId: 'itslearning', kind: 'full', expression: '0 2 * * *' },
      { recipientId: 'itslearning', kind: 'delta', expression: '0 * * * *' },
      { recipientId: 'websak', kind: 'full', expression: '30 2 * * *' },
    ]);
    expect(ignored).toEqual([
      {
        recipientId: 'websak',
        kind: 'delta',
        expression: '0 * * * *',
        reason: 'feed.accepts does not include "delta"',
      },
    ]);
  });

  it('full and delta of one recipient on the same slot: the full wins, the delta is not fired', () => {
    const { schedules } = recipientSchedules(recipients);
    const slots = dueSlots(schedules, at('2026-10-24T22:30Z'), at('2026-10-25T01:30Z'));
    expect(slots.map((slot) => [slot.at.toISOString().slice(11, 16), slot.recipientId, slot.kind])).toEqual([
      ['23:00', 'itslearning', 'delta'],
      ['00:00', 'itslearning', 'full'],
      ['00:30', 'websak', 'full'],
      ['01:00', 'itslearning', 'delta'],
    ]);
    expect(slots[1]!.runId).toBe('run-20261025T000000Z-sched');
  });

  it('run ids are deterministic, free of ":" (BullMQ) and sort by slot time', () => {
    const id = scheduledRunId(at('2026-03-29T01:30:00Z'));
    expect(id).toBe('run-20260329T013000Z-sched');
    expect(id).not.toContain(':');
    expect(scheduledRunId(at('2026-03-28T01:30Z')) < id).toBe(true);
  });

  it('every recipient due at one instant is in one run, each with its own feed type', () => {
    const { schedules } = recipientSchedules(recipients);
    const runs = slotRuns(dueSlots(schedules, at('2026-10-24T22:30Z'), at('2026-10-25T01:30Z')));
    expect(
      runs.map((run) => [run.runId, run.slots.map((slot) => `${slot.recipientId}:${slot.kind}`)]),
    ).toEqual([
      ['run-20261024T230000Z-sched', ['itslearning:delta']],
      ['run-20261025T000000Z-sched', ['itslearning:full']],
      ['run-20261025T003000Z-sched', ['websak:full']],
      ['run-20261025T010000Z-sched', ['itslearning:delta']],
    ]);
  });
});

describe('the shipped recipients over both DST nights', () => {
  const fixtures = loadRecipientConfigs(new URL('../../../fixtures/recipients/', import.meta.url).pathname);
  const { schedules } = recipientSchedules(fixtures);
  const nightly = (from: string, to: string) =>
    dueSlots(schedules, at(from), at(to)).map(
      (slot) => `${formatLocalSlot(slot.at)} ${slot.recipientId} ${slot.kind}`,
    );

  it('a weekday 11:15 is one run of every recipient with a 15-minute delta, so one snapshot', () => {
    const runs = slotRuns(dueSlots(schedules, at('2026-11-03T10:14Z'), at('2026-11-03T10:16Z')));
    expect(runs).toHaveLength(1);
    expect(runs[0]!.runId).toBe('run-20261103T101500Z-sched');
    const due = fixtures.filter((config) => config.schedule?.delta === '*/15 7-17 * * 1-5');
    expect(runs[0]!.slots.map((slot) => slot.recipientId)).toEqual(due.map((config) => config.id).sort());
    expect(runs[0]!.slots.length).toBeGreaterThan(1);
  });

  it('spring forward: every nightly full fires once; those set in 02:00–02:59 run an hour later by the clock', () => {
    expect(nightly('2026-03-28T22:00Z', '2026-03-29T04:00Z')).toEqual([
      '2026-03-29T01:00+01:00 conexus-engage full',
      '2026-03-29T03:00+02:00 skoleplattform-directory full',
      '2026-03-29T03:00+02:00 skoleplattform-messaging full',
      '2026-03-29T03:00+02:00 websak full',
      '2026-03-29T03:10+02:00 inspera full',
      '2026-03-29T03:15+02:00 skole-sms full',
      '2026-03-29T03:30+02:00 itslearning full',
      '2026-03-29T03:45+02:00 eft-kurssenter full',
      '2026-03-29T03:50+02:00 laerers-laering full',
      '2026-03-29T04:00+02:00 websak delta',
    ]);
  });

  it('fall back: every nightly full fires once, in the first 02:00–02:59 (CEST)', () => {
    expect(nightly('2026-10-24T21:00Z', '2026-10-25T04:00Z')).toEqual([
      '2026-10-25T01:00+02:00 conexus-engage full',
      '2026-10-25T02:00+02:00 skoleplattform-directory full',
      '2026-10-25T02:00+02:00 skoleplattform-messaging full',
      '2026-10-25T02:10+02:00 inspera full',
      '2026-10-25T02:15+02:00 skole-sms full',
      '2026-10-25T02:30+02:00 itslearning full',
      '2026-10-25T02:45+02:00 eft-kurssenter full',
      '2026-10-25T02:50+02:00 laerers-laering full',
      '2026-10-25T03:00+01:00 websak full',
      '2026-10-25T04:00+01:00 websak delta',
    ]);
  });
});
