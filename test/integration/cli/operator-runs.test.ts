import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { fixtureRecipientsDelivering } from '../../helpers/recipients-dir.js';
import { runCli } from './run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

describe('pifu-hub runs, run show and queues, after an export through the queues', () => {
  let database: TestDatabase;
  let env: Record<string, string | undefined>;
  let outDir: string;
  let runId: string;
  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'tiny' });
    const dataDir = scratchDir('pifu-cli-data-');
    outDir = join(dataDir, 'out');
    env = {
      DATABASE_URL: database.url,
      PIFU_HUB_DATA_DIR: dataDir,
      PIFU_HUB_SPOOL_DIR: join(dataDir, 'spool'),
      PIFU_HUB_RECIPIENTS_DIR: fixtureRecipientsDelivering(outDir),
      REDIS_URL: testRedisUrl(),
      PIFU_HUB_QUEUE_PREFIX: `test-${randomUUID()}`,
      LOG_LEVEL: 'silent',
    };
    const exported = await runCli(['export', '--recipient', 'itslearning', '--recipient', 'websak'], env);
    expect(exported.exitCode).toBe(0);
    // Not a terminal: no progress bar, nothing on stderr.
    expect(exported.stderr).toBe('');
    runId = /run (run-\S+) completed/.exec(exported.stdout)![1]!;
  });
  afterAll(async () => {
    // pg-pool's end() resolves before its idle sockets close; the DROP … WITH (FORCE) in destroy() may
    // then terminate one of them, which the pool reports as an 'error' event: expected here, not a failure.
    database.pool.on('error', () => undefined);
    await database.destroy();
  });

  it('runs: one row per run, newest first, with its transfers counted by outcome', async () => {
    const { stdout, stderr, exitCode } = await runCli(['runs'], env);
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^run +trigger +status +created +finished +recipients +delivered +failed +held +skipped +pending$/,
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      new RegExp(
        `^${runId} +operator +completed +\\d{4}-\\d\\d-\\d\\dT\\S+Z +\\d{4}-\\S+Z +itslearning, websak +2 +0 +0 +0 +0$`,
      ),
    );
  });

  it('runs --json --limit: one object per run, every count and the full recipient list', async () => {
    const second = await runCli(['export', '--recipient', 'skole-sms', '--json'], env);
    expect(second.exitCode).toBe(0);
    const { stdout, exitCode } = await runCli(['runs', '--json', '--limit', '1'], env);
    expect(exitCode).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      trigger: 'operator',
      status: 'completed',
      recipientIds: ['skole-sms'],
      delivered: 1,
      failed: 0,
      held: 0,
      skipped: 0,
      pending: 0,
      error: null,
    });
    expect(rows[0]!['id']).not.toBe(runId);
    const all = await runCli(['runs', '--json'], env);
    expect(all.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('run show: the run, then one line per transfer with attempts, bytes, sha-256 and location', async () => {
    const { stdout, stderr, exitCode } = await runCli(['run', 'show', runId], env);
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    const [head, table] = stdout.trim().split('\n\n');
    expect(head).toMatch(new RegExp(`^run +${runId}$`, 'm'));
    expect(head).toMatch(/^status +completed$/m);
    expect(head).toMatch(/^trigger +operator \(by cli:\S+\)$/m);
    expect(head).toMatch(/^snapshot +\S+Z \(\d+ persons, \d+ groups, \d+ memberships\)$/m);
    expect(head).toMatch(/^transfers +2 delivered, 0 failed, 0 held, 0 skipped, 0 pending$/m);
    const lines = table!.split('\n');
    expect(lines[0]).toMatch(
      /^recipient +transfer +type +status +attempts +added +changed +deleted +bytes +sha-256 +location +error$/,
    );
    expect(lines.slice(2).map((line) => line.split(/ +/).slice(0, 9))).toEqual([
      [
        'itslearning',
        expect.stringMatching(/^transfer-/),
        'full',
        'delivered',
        '1',
        '-',
        '-',
        '-',
        expect.stringMatching(/^\d+$/),
      ],
      [
        'websak',
        expect.stringMatching(/^transfer-/),
        'full',
        'delivered',
        '1',
        '-',
        '-',
        '-',
        expect.stringMatching(/^\d+$/),
      ],
    ]);
    expect(lines[2]).toContain(join(outDir, 'itslearning'));
    expect(lines[2]).toMatch(/ [0-9a-f]{16} /);
  });

  it('run show --json: the run and its transfers with the full sha-256 and the feed file', async () => {
    const { stdout, exitCode } = await runCli(['run', 'show', runId, '--json'], env);
    expect(exitCode).toBe(0);
    const shown = JSON.parse(stdout) as Record<string, unknown> & { transfers: Record<string, unknown>[] };
    expect(shown).toMatchObject({
      id: runId,
      status: 'completed',
      delivered: 2,
      recipientIds: ['itslearning', 'websak'],
    });
    expect(shown['persons']).toEqual(expect.any(Number));
    expect(shown.transfers).toHaveLength(2);
    expect(shown.transfers[0]).toMatchObject({
      recipientId: 'itslearning',
      feedType: 'full',
      status: 'delivered',
      attempts: 1,
      sha256Hex: expect.stringMatching(/^[0-9a-f]{64}$/),
      sizeBytes: expect.any(Number),
      location: expect.stringContaining(join(outDir, 'itslearning')),
      error: null,
    });
  });

  it('run show of an unknown run: one line, PIFU_RUN_UNKNOWN, exit 1', async () => {
    const { stderr, exitCode } = await runCli(['run', 'show', 'run-nope'], env);
    expect(exitCode).toBe(1);
    expect(stderr).toBe('error: PIFU_RUN_UNKNOWN: no run "run-nope"; list runs with `pifu-hub runs`\n');
  });

  it('queues: jobs per state in each queue, from BullMQ', async () => {
    const { stdout, stderr, exitCode } = await runCli(['queues'], env);
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^queue +waiting +active +delayed +completed +failed +waiting-children$/);
    // Two exports: per run one snapshot and one finish job (queue run), one feed and one deliver job per recipient.
    expect(lines.slice(2).map((line) => line.split(/ +/))).toEqual([
      ['run', '0', '0', '0', '4', '0', '0'],
      ['feed', '0', '0', '0', '3', '0', '0'],
      ['deliver', '0', '0', '0', '3', '0', '0'],
    ]);
    const json = await runCli(['queues', '--json'], env);
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown)[0],
    ).toEqual({
      queue: 'run',
      waiting: 0,
      active: 0,
      delayed: 0,
      completed: 4,
      failed: 0,
      'waiting-children': 0,
    });
  });

  it('queues with Redis unreachable, or without REDIS_URL: one clear line, exit 1', async () => {
    const down = await runCli(['queues'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(
      /^error: PIFU_QUEUE_UNAVAILABLE: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\): .*ECONNREFUSED.*; check that it runs and the URL is right\n$/,
    );
    const unset = await runCli(['queues'], { ...env, REDIS_URL: undefined });
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toMatch(/^error: PIFU_QUEUE_UNAVAILABLE: REDIS_URL is not set/);
  });
});
