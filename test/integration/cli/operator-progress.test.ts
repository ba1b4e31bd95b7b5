import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describeProgress, progressWanted, terminalProgress } from '../../../jobs/cli/progress.js';
import { openRuntime } from '../../../jobs/runtime.js';
import { showRun, startExport } from '../../../src/operations/index.js';
import { testActor } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/** Cursor movements and line clearing, which cli-progress writes between frames. */
const ansiEscape = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

/** A terminal as cli-progress sees one: a TTY stream with a width, whose output is kept. */
function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  Object.assign(stream, { isTTY: true, columns: 160 });
  return {
    stream: stream as unknown as NodeJS.WriteStream,
    text: () => chunks.join('').replace(ansiEscape, '\n'),
  };
}

describe('export progress: when it shows', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };

  it('only for a person at a terminal: not with --json, not in CI, not into a pipe or a file', () => {
    expect(progressWanted({ json: false, stdout: tty, stderr: tty, env: {} })).toBe(true);
    expect(progressWanted({ json: false, stdout: tty, stderr: tty, env: { CI: 'false' } })).toBe(true);
    expect(progressWanted({ json: true, stdout: tty, stderr: tty, env: {} })).toBe(false);
    expect(progressWanted({ json: false, stdout: tty, stderr: tty, env: { CI: 'true' } })).toBe(false);
    expect(progressWanted({ json: false, stdout: tty, stderr: tty, env: { CI: '1' } })).toBe(false);
    expect(progressWanted({ json: false, stdout: pipe, stderr: tty, env: {} })).toBe(false);
    expect(progressWanted({ json: false, stdout: {}, stderr: tty, env: {} })).toBe(false);
    expect(progressWanted({ json: false, stdout: tty, stderr: pipe, env: {} })).toBe(false);
  });

  it('the step: reading the source, then writing or delivering a recipient, then the run outcome', () => {
    const row = (recipientId: string, status: string, feedStatus: string) =>
      ({ recipientId, status, feedStatus }) as Parameters<typeof describeProgress>[1][number];
    const running = { snapshotAt: null, status: 'running' };
    const read = { snapshotAt: new Date(), status: 'running' };
    const rows = [
      row('a', 'pending', 'pending'),
      row('b', 'pending', 'pending'),
      row('c', 'pending', 'pending'),
    ];
    expect(describeProgress(running, rows, 3)).toEqual({ done: 0, total: 3, step: 'reading the source' });
    expect(describeProgress(read, rows, 3)).toEqual({ done: 0, total: 3, step: 'writing a (+2)' });
    expect(
      describeProgress(read, [row('a', 'delivered', 'written'), row('b', 'pending', 'written'), rows[2]!], 3),
    ).toEqual({ done: 1, total: 3, step: 'delivering b' });
    expect(
      describeProgress(
        read,
        [row('a', 'delivered', 'written'), row('b', 'skipped', 'empty'), row('c', 'failed', 'failed')],
        3,
      ),
    ).toEqual({ done: 3, total: 3, step: 'finishing' });
    expect(describeProgress({ snapshotAt: new Date(), status: 'completed' }, [], 3).step).toBe(
      'run completed',
    );
  });
});

describe('export progress on a terminal, for a real export through the queues', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'tiny' });
  });
  afterAll(async () => {
    database.pool.on('error', () => undefined); // see operator-runs.test.ts
    await database.destroy();
  });

  it('draws recipients done / total with the step, ending at 2/2 and the run outcome', async () => {
    const dataDir = scratchDir('pifu-progress-');
    const runtime = await openRuntime({
      env: {
        DATABASE_URL: database.url,
        PIFU_HUB_DATA_DIR: dataDir,
        PIFU_HUB_RECIPIENTS_DIR: new URL('../../../fixtures/recipients/', import.meta.url).pathname,
        REDIS_URL: testRedisUrl(),
        PIFU_HUB_QUEUE_PREFIX: `test-${randomUUID()}`,
        LOG_LEVEL: 'silent',
      },
      outDir: join(dataDir, 'out'),
    });
    try {
      const terminal = fakeTerminal();
      const readRun = (run: string) => showRun(runtime.operations, testActor(), { run });
      const progress = terminalProgress(readRun, {
        json: false,
        stdout: { isTTY: true },
        stream: terminal.stream,
        env: {},
        intervalMs: 5,
      });
      expect(progress).toBeDefined();
      const result = await startExport(
        runtime.operations,
        testActor(),
        { recipients: ['itslearning', 'websak'] },
        progress === undefined ? {} : { observer: progress },
      );
      expect(result.status).toBe('completed');
      const frames = terminal
        .text()
        .split('\n')
        .filter((line) => line.startsWith('export |'));
      expect(frames[0]).toMatch(/^export \|\S+\| 0\/2 recipients \| \S+ \| reading the source$/);
      expect(frames.at(-1)).toMatch(/^export \|\S+\| 2\/2 recipients \| \S+ \| run completed$/);

      expect(
        terminalProgress(readRun, {
          json: true,
          stdout: { isTTY: true },
          stream: terminal.stream,
          env: {},
        }),
      ).toBeUndefined();
    } finally {
      await runtime.close();
    }
  });
});
