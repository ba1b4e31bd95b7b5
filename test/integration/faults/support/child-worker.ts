import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRecipientConfig, type RecipientConfig } from '../../../../src/config/index.js';
import type { WorkerMessage, WorkerProcessConfig } from './worker-process.js';

const supportDir = fileURLToPath(new URL('.', import.meta.url));

/** A worker process of the test's own, on the test's database, Redis prefix and spool. */
export interface ChildWorker {
  readonly pid: number;
  readonly process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What the process wrote to stderr (its log lines). */
  output(): string;
  /** Calls `listener` for every IPC message the process sends. */
  onMessage(listener: (message: WorkerMessage) => void): void;
  /** `kill -9`: no cleanup of any kind. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnWorker(config: WorkerProcessConfig): Promise<ChildWorker> {
  const child = spawn(
    process.execPath,
    ['--import', join(supportDir, 'register-ts.mjs'), join(supportDir, 'worker-process.ts')],
    {
      cwd: process.cwd(),
      env: { ...process.env, PIFU_TEST_WORKER: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const listeners: ((message: WorkerMessage) => void)[] = [];
  child.on('message', (message: WorkerMessage) => {
    for (const listener of listeners) listener(message);
  });
  await new Promise<void>((resolveReady, rejectReady) => {
    listeners.push((message) => {
      if (message.type === 'ready') resolveReady();
    });
    void exited.then(({ code, signal }) =>
      rejectReady(
        new Error(`worker process exited (${code ?? signal}) before it was ready:\n${chunks.join('')}`),
      ),
    );
  });
  return {
    pid: child.pid ?? -1,
    process: child,
    exited,
    output: () => chunks.join(''),
    onMessage: (listener) => listeners.push(listener),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Recipients with their transport rewritten to a file drop under `dropDir/<id>` (as `export --out` does). */
export function toFileDrop(recipients: readonly RecipientConfig[], dropDir: string): RecipientConfig[] {
  return recipients.map((recipient) => ({
    ...recipient,
    transport: { kind: 'file-drop', directory: join(dropDir, recipient.id) },
  }));
}

export function parseRecipients(files: readonly Record<string, unknown>[]): RecipientConfig[] {
  return files.map((file, index) => {
    const { config, problems } = parseRecipientConfig(file, `recipient-${index}.json`);
    if (config === undefined) throw new Error(problems.join('; '));
    return config;
  });
}
