import { parseRecipientConfig } from '../../../src/config/index.js';
import { parseSchedule, recipientSchedules } from '../../../src/schedule/index.js';
import { valid } from './support/recipient-files.js';

const scheduler = (expression: string): string | undefined => {
  try {
    parseSchedule(expression);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^PIFU_CONFIG_INVALID: /, '');
  }
};

/** `recipients validate` and `scheduler` read schedules with one function, so they agree both ways. */
describe('a recipient schedule is valid exactly when the scheduler can fire it', () => {
  it.each([
    ['0 2 * * *', undefined],
    ['*/15 7-17 * * 1-5', undefined],
    ['0 5 * * mon#2', undefined],
    ['0 5 L * *', undefined],
    ['0 5 6W * *', undefined],
    ['0 5 L-2 jun *', undefined],
    ['30 0 2 * * *', 'schedule "30 0 2 * * *" has a seconds field'],
    ['0 0 2 * * *', 'schedule "0 0 2 * * *" has a seconds field'],
    ['every night', 'schedule "every night" is not a cron expression'],
    ['0 25 * * *', 'schedule "0 25 * * *" is not a cron expression'],
    ['0 2 * * * * *', 'schedule "0 2 * * * * *" is not a cron expression'],
  ])('%s', (expression, refusal) => {
    const ours = scheduler(expression);
    if (refusal === undefined) expect(ours).toBeUndefined();
    else expect(ours).toContain(refusal);
    for (const kind of ['full', 'delta'] as const) {
      const { config, problems } = parseRecipientConfig(
        { ...valid, schedule: { [kind]: expression } },
        'websak.json',
      );
      expect(problems).toEqual(ours === undefined ? [] : [`websak.json: schedule.${kind}: ${ours}`]);
      // What validation accepts, the scheduler takes without complaint.
      if (config !== undefined) expect(() => recipientSchedules([config])).not.toThrow();
    }
  });
});
