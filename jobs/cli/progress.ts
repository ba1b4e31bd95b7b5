import cliProgress from 'cli-progress';
import type { RunDetail, RunObserver, RunTransferDetail } from '../../src/operations/index.js';

/**
 * The progress bar is a RunObserver: told when the run is recorded and when it is over, it learns the
 * rest by reading the run's rows, so the core carries no progress callbacks and the same display works
 * whichever process (this one or a worker elsewhere) does the steps.
 */
export type ExportProgress = RunObserver;

export interface ProgressState {
  readonly done: number;
  readonly total: number;
  readonly step: string;
}

const finished = new Set(['delivered', 'failed', 'held', 'rejected', 'skipped']);

/** Recipients done (delivered, failed, held or nothing to send) and what the run is doing now. */
export function describeProgress(
  run: { readonly snapshotAt: Date | null; readonly status: string } | undefined,
  transfers: readonly Pick<RunTransferDetail, 'recipientId' | 'status' | 'feedStatus'>[],
  total: number,
): ProgressState {
  const done = transfers.filter((transfer) => finished.has(transfer.status)).length;
  if (run !== undefined && run.status !== 'running') return { done, total, step: `run ${run.status}` };
  if (run === undefined || run.snapshotAt === null) return { done, total, step: 'reading the source' };
  const open = transfers.filter((transfer) => !finished.has(transfer.status));
  if (open.length === 0) return { done, total, step: 'finishing' };
  const delivering = open.filter((transfer) => transfer.feedStatus === 'written');
  const [first, ...rest] = delivering.length > 0 ? delivering : open;
  const verb = delivering.length > 0 ? 'delivering' : 'writing';
  return {
    done,
    total,
    step: `${verb} ${first!.recipientId}${rest.length > 0 ? ` (+${rest.length})` : ''}`,
  };
}

/** The progress bar is for a person at a terminal: not with --json, not in CI, not into a pipe or file. */
export function progressWanted(options: {
  readonly json: boolean;
  readonly stdout: { readonly isTTY?: boolean };
  readonly stderr: { readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}): boolean {
  const ci = options.env['CI'];
  return (
    !options.json &&
    options.stdout.isTTY === true &&
    options.stderr.isTTY === true &&
    (ci === undefined || ci === '' || ci === 'false' || ci === '0')
  );
}

/**
 * A progress bar on stderr (recipients done / total, and the current step), fed by polling the run's
 * rows; undefined when it is not wanted (see progressWanted), so the caller stays quiet.
 */
export function terminalProgress(
  readRun: (runId: string) => Promise<RunDetail>,
  options: {
    readonly json: boolean;
    readonly stdout?: { readonly isTTY?: boolean };
    readonly stream?: NodeJS.WriteStream;
    readonly env?: NodeJS.ProcessEnv;
    readonly intervalMs?: number;
  },
): ExportProgress | undefined {
  const stream = options.stream ?? process.stderr;
  const wanted = progressWanted({
    json: options.json,
    stdout: options.stdout ?? process.stdout,
    stderr: stream,
    env: options.env ?? process.env,
  });
  return wanted ? pollingProgress(readRun, stream, options.intervalMs ?? 250) : undefined;
}

function pollingProgress(
  readRun: (runId: string) => Promise<RunDetail>,
  stream: NodeJS.WriteStream,
  intervalMs: number,
): ExportProgress {
  const bar = new cliProgress.SingleBar(
    {
      format: 'export |{bar}| {value}/{total} recipients | {duration_formatted} | {step}',
      stream,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  let runId = '';
  let total = 0;
  const poll = async (): Promise<void> => {
    const run = await readRun(runId);
    const state = describeProgress(run, run.transfers, total);
    bar.update(state.done, { step: state.step });
  };
  const tick = (): void => {
    // One poll at a time; a failed read only skips a frame of the display.
    polling = polling.then(poll).catch(() => undefined);
  };
  return {
    recorded(id, recipientIds) {
      runId = id;
      total = recipientIds.length;
      bar.start(total, 0, { step: 'reading the source' });
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async finished() {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
      tick();
      await polling;
      bar.stop();
    },
  };
}
