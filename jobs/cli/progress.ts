import cliProgress from 'cli-progress';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../../src/db/index.js';
import { findRun, listRunTransferDetails, type RunTransferDetail } from '../../src/run/index.js';

/**
 * What `runExport` tells a watcher: the run is recorded (start), the run is over (stop). The watcher
 * learns the rest by reading the run's rows, so the core carries no progress callbacks and the same
 * display works whichever process (this one or a worker elsewhere) does the steps.
 */
export interface ExportProgress {
  start(runId: string, recipientIds: readonly string[]): void;
  stop(): Promise<void>;
}

export interface ProgressState {
  readonly done: number;
  readonly total: number;
  readonly step: string;
}

const finished = new Set(['delivered', 'failed', 'held', 'rejected', 'skipped']);

/** Recipients done (delivered, failed, held or nothing to send) and what the run is doing now. */
export function describeProgress(
  run: { readonly snapshot_at: unknown; readonly status: string } | undefined,
  transfers: readonly Pick<RunTransferDetail, 'recipientId' | 'status' | 'feedStatus'>[],
  total: number,
): ProgressState {
  const done = transfers.filter((transfer) => finished.has(transfer.status)).length;
  if (run !== undefined && run.status !== 'running') return { done, total, step: `run ${run.status}` };
  if (run === undefined || run.snapshot_at === null) return { done, total, step: 'reading the source' };
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
  db: Kysely<HubDatabase>,
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
  return wanted ? pollingProgress(db, stream, options.intervalMs ?? 250) : undefined;
}

function pollingProgress(
  db: Kysely<HubDatabase>,
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
    const [run, transfers] = await Promise.all([findRun(db, runId), listRunTransferDetails(db, runId)]);
    const state = describeProgress(run, transfers, total);
    bar.update(state.done, { step: state.step });
  };
  const tick = (): void => {
    // One poll at a time; a failed read only skips a frame of the display.
    polling = polling.then(poll).catch(() => undefined);
  };
  return {
    start(id, recipientIds) {
      runId = id;
      total = recipientIds.length;
      bar.start(total, 0, { step: 'reading the source' });
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
      tick();
      await polling;
      bar.stop();
    },
  };
}
