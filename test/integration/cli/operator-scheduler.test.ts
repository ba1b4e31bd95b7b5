import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const fixturesDir = new URL('../../../fixtures/recipients/', import.meta.url).pathname;

/** A database nothing answers on and no Redis: `--plan` must need neither. */
const env = {
  PIFU_HUB_RECIPIENTS_DIR: fixturesDir,
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/unreachable',
  REDIS_URL: undefined,
  LOG_LEVEL: 'silent',
};

describe('pifu-hub scheduler', () => {
  it('--plan: the slots of the shipped recipients over the spring-forward night, local and UTC', async () => {
    const { stdout, stderr, exitCode } = await runCli(
      ['scheduler', '--plan', '6', '--from', '2026-03-28T22:00:00Z'],
      env,
    );
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^local \(Europe\/Oslo\) +utc +recipient +kind +cron +run id$/);
    expect(lines.slice(2).map((line) => line.split(/ {2,}/).slice(0, 4))).toEqual([
      ['2026-03-29T01:00+01:00', '2026-03-29T00:00Z', 'conexus-engage', 'full'],
      ['2026-03-29T03:00+02:00', '2026-03-29T01:00Z', 'skoleplattform-directory', 'full'],
      ['2026-03-29T03:00+02:00', '2026-03-29T01:00Z', 'skoleplattform-messaging', 'full'],
      ['2026-03-29T03:00+02:00', '2026-03-29T01:00Z', 'websak', 'full'],
      ['2026-03-29T03:10+02:00', '2026-03-29T01:10Z', 'inspera', 'full'],
      ['2026-03-29T03:15+02:00', '2026-03-29T01:15Z', 'skole-sms', 'full'],
      ['2026-03-29T03:30+02:00', '2026-03-29T01:30Z', 'itslearning', 'full'],
      ['2026-03-29T03:45+02:00', '2026-03-29T01:45Z', 'eft-kurssenter', 'full'],
      ['2026-03-29T03:50+02:00', '2026-03-29T01:50Z', 'laerers-laering', 'full'],
      ['2026-03-29T04:00+02:00', '2026-03-29T02:00Z', 'websak', 'delta'],
    ]);
    expect(lines[8]).toMatch(/ 30 2 \* \* \* +run-20260329T013000Z-sched$/);
  });

  it('--plan --json: one object per slot; over the fall-back night 02:30 fires once, in CEST', async () => {
    const { stdout, exitCode } = await runCli(
      ['scheduler', '--plan', '4', '--from', '2026-10-24T23:00:00Z', '--json'],
      env,
    );
    expect(exitCode).toBe(0);
    const slots = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>);
    expect(slots.filter((slot) => slot['recipient'] === 'itslearning')).toEqual([
      {
        at: '2026-10-25T00:30:00.000Z',
        local: '2026-10-25T02:30+02:00',
        recipient: 'itslearning',
        kind: 'full',
        expression: '30 2 * * *',
        runId: 'run-20261025T003000Z-sched',
      },
    ]);
  });

  it('a schedule the scheduler cannot fire stops it, naming the file; no REDIS_URL stops a running one', async () => {
    const dir = scratchDir('pifu-recipients-');
    const websak = JSON.parse(readFileSync(join(fixturesDir, 'websak.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      join(dir, 'websak.json'),
      JSON.stringify({ ...websak, schedule: { full: '30 0 2 * * *' } }),
    );
    const seconds = await runCli(['scheduler', '--plan', '24'], { ...env, PIFU_HUB_RECIPIENTS_DIR: dir });
    expect(seconds.exitCode).toBe(1);
    expect(seconds.stderr).toBe(
      'error: PIFU_RECIPIENT_INVALID: 1 problem(s): websak.json: schedule.full: schedule "30 0 2 * * *" ' +
        'has a seconds field; schedules have minute resolution: use five fields (minute hour day-of-month month day-of-week)\n',
    );

    const noRedis = await runCli(['scheduler'], env);
    expect(noRedis.exitCode).toBe(1);
    expect(noRedis.stderr).toBe(
      "error: PIFU_QUEUE_UNAVAILABLE: the scheduler needs the worker pool's shared Redis and REDIS_URL is " +
        'not set: set REDIS_URL and DATABASE_URL, or run `pifu-hub export` by hand\n',
    );
  });

  it('--plan is bounded at 744 hours (31 days): a larger window is a usage error, not an out-of-memory', async () => {
    for (const hours of ['745', '99999999']) {
      const { stdout, stderr, exitCode } = await runCli(['scheduler', '--plan', hours], env);
      expect({ stdout, stderr, exitCode }).toEqual({
        stdout: '',
        stderr: `error: PIFU_USAGE_INVALID: a plan covers 1 to 744 hours (31 days), not ${hours}; ask for fewer hours, or start later with --from\n`,
        exitCode: 1,
      });
    }
    const month = await runCli(
      ['scheduler', '--plan', '744', '--from', '2026-03-01T00:00:00Z', '--json'],
      env,
    );
    expect(month.exitCode).toBe(0);
    const slots = month.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { at: string });
    expect(slots.length).toBeGreaterThan(31);
    expect(slots.at(-1)!.at <= '2026-04-01T00:00:00.000Z').toBe(true);
  });
});
