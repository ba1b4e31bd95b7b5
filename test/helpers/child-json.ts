import { spawn } from 'node:child_process';

/**
 * Runs `node ARGS…` with `env` and resolves with the JSON its stdout printed; a non-zero exit rejects
 * with what it wrote to stderr, named `what`. For tests whose measured work runs in a process of its
 * own (its peak memory, the built code).
 */
export function childJson<T>(what: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<T> {
  const child = spawn(process.execPath, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  return new Promise((resolve, reject) =>
    child.once('close', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim()) as T) : reject(new Error(`${what} exited ${code}: ${err}`)),
    ),
  );
}
