import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { migrateRecordsStore } from '../connectors/sources/records-db/index.js';
import {
  generateMunicipality,
  loadMunicipality,
  type MunicipalityScale,
} from '../fixtures/generator/index.js';
import { migrateHub } from '../src/db/index.js';
import { HubError } from '../src/errors/index.js';
import { findPackageRoot } from '../src/pifu/package-root.js';
import { openBenchDatabase } from './bench-database.js';

export interface ApiLoadOptions {
  readonly scale: MunicipalityScale;
  readonly seed: number;
  readonly databaseUrl?: string;
  /** Concurrent `GET /feeds/{r}/next`, each downloading the whole offered feed. */
  readonly pulls: number;
  /** Concurrent dashboard page loads, signed in: the overview `/` and the transfer log in turn. */
  readonly pages: number;
  readonly log?: (line: string) => void;
}

interface Latencies {
  readonly requests: number;
  readonly errors: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
}

export interface ApiLoadResult {
  readonly scale: MunicipalityScale;
  readonly feed_bytes: number;
  readonly pulls: Latencies;
  readonly pages: Latencies;
  /** Whether the export run was still running when the last request was answered. */
  readonly export_running_throughout: boolean;
  readonly export_s: number;
  readonly load_s: number;
  readonly errors: readonly string[];
}

const requestTimeoutMs = 60_000;
const pullRecipient = 'bench-pull';

/**
 * The API under load on loopback, as deployed: `pifu-hub serve` and `pifu-hub export --all` each in a
 * process of their own on one throwaway PostgreSQL database, while this process fires `pulls`
 * concurrent pulls of a recipient's offered feed and `pages` concurrent page loads, all at once, once
 * the export's run is under way. Bounded: a fixed number of requests, each with a timeout; the
 * processes are stopped and the database dropped at the end. Needs a built dist/ (npm run build).
 */
export async function runApiLoad(options: ApiLoadOptions): Promise<ApiLoadResult> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const database = await openBenchDatabase(options.databaseUrl, log);
  const children: ChildProcess[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'pifu-api-load-'));
  try {
    if (database.url === undefined) {
      throw new HubError(
        'PIFU_DATABASE_FAILED',
        'bench --api: the processes share PostgreSQL; set BENCH_DATABASE_URL',
      );
    }
    const db = database.open.db as unknown as Kysely<unknown>;
    await migrateRecordsStore(database.open.db);
    await migrateHub(db);
    if (database.open.kind !== 'postgres') throw new HubError('PIFU_DATABASE_FAILED', 'expected PostgreSQL');
    await loadMunicipality(
      { kind: 'pg', pool: database.open.pool },
      generateMunicipality({ scale: options.scale, seed: options.seed }),
    );
    log(`bench --api: loaded a ${options.scale} municipality`);
    const env = hubEnvironment(workDir, database.url);
    const hub = (args: string[]) => runHub(args, env);

    await hub(['export', '--recipient', pullRecipient]);
    const pullToken = lastLine(
      await hub(['tokens', 'create', '--recipient', pullRecipient, '--name', 'bench-pull']),
    );
    const viewerToken = lastLine(
      await hub(['tokens', 'create', '--role', 'viewer', '--name', 'bench-viewer']),
    );
    const { rows } = await sql<{ size_bytes: number }>`SELECT f.size_bytes FROM hub.transfer t
      JOIN hub.feed f ON f.id = t.feed_id WHERE t.status = 'offered'`.execute(db);
    const feedBytes = Number(rows[0]?.size_bytes ?? 0);
    log(`bench --api: ${pullRecipient} was offered a ${(feedBytes / 1e6).toFixed(2)} MB feed`);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    children.push(startHub(['serve', '--port', String(port)], env));
    await waitFor(async () => (await get(`${base}/healthz`, {})).status === 200, 'the server to answer');

    const exportStarted = performance.now();
    const exporting = startHub(['export', '--all'], env);
    children.push(exporting);
    const exported = new Promise<number>((resolve) => exporting.on('exit', (code) => resolve(code ?? 1)));
    await waitFor(
      async () =>
        (
          await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.run WHERE status = 'running'`.execute(
            db,
          )
        ).rows[0]!.n > 0,
      'the export run to start',
    );
    log(`bench --api: export running; ${options.pulls} pulls and ${options.pages} page loads at once`);

    const loadStarted = performance.now();
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const pulls = Array.from({ length: options.pulls }, () =>
      get(`${base}/feeds/${pullRecipient}/next`, { authorization: `Bearer ${pullToken}` }, agent),
    );
    // What a signed-in browser sends: the dashboard's session cookie (it holds the viewer token).
    const session = { cookie: `pifu_session=${viewerToken}` };
    const pages = Array.from({ length: options.pages }, (_, index) =>
      get(`${base}${index % 2 === 0 ? '/' : '/ui/transfers'}`, session, agent),
    );
    const [pullResults, pageResults] = await Promise.all([Promise.all(pulls), Promise.all(pages)]);
    const loadS = (performance.now() - loadStarted) / 1000;
    const { rows: still } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.run
      WHERE status = 'running'`.execute(db);
    const exitCode = await exported;
    const exportS = (performance.now() - exportStarted) / 1000;
    if (exitCode !== 0) log(`bench --api: the export exited ${exitCode}`);
    agent.destroy();
    const errors = [...pullResults, ...pageResults].flatMap((result) =>
      result.error === undefined ? [] : [result.error],
    );
    return {
      scale: options.scale,
      feed_bytes: feedBytes,
      pulls: latencies(pullResults, (result) => result.status === 200 && result.bytes === feedBytes),
      pages: latencies(pageResults, (result) => result.status === 200),
      export_running_throughout: still[0]!.n > 0,
      export_s: round(exportS),
      load_s: round(loadS),
      errors: [...new Set(errors)].slice(0, 10),
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null ? once(child) : undefined)));
    await database.dispose().catch((error: unknown) => log(`bench --api: cleanup failed: ${String(error)}`));
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The shipped recipients delivering into `workDir`, plus one pull recipient; roles for this user. */
function hubEnvironment(workDir: string, databaseUrl: string): NodeJS.ProcessEnv {
  const recipientsDir = join(workDir, 'recipients');
  mkdirSync(recipientsDir);
  const fixtures = join(findPackageRoot(), 'fixtures', 'recipients');
  for (const name of readdirSync(fixtures).filter((file) => file.endsWith('.json'))) {
    const config = JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as Record<string, unknown>;
    delete config['$schema'];
    config['transport'] = { kind: 'file-drop', directory: join(workDir, 'drop', String(config['id'])) };
    writeFileSync(join(recipientsDir, name), JSON.stringify(config));
  }
  const portal = JSON.parse(readFileSync(join(fixtures, 'pas.json'), 'utf8')) as Record<string, unknown>;
  delete portal['$schema'];
  writeFileSync(
    join(recipientsDir, `${pullRecipient}.json`),
    JSON.stringify({
      ...portal,
      id: pullRecipient,
      name: 'Bench pull recipient',
      transport: { kind: 'pull' },
    }),
  );
  const rolesFile = join(workDir, 'roles.json');
  writeFileSync(rolesFile, JSON.stringify({ [userInfo().username]: ['operator', 'config-admin'] }));
  const { REDIS_URL: _shared, ...rest } = process.env;
  return {
    ...rest,
    DATABASE_URL: databaseUrl,
    PIFU_HUB_RECIPIENTS_DIR: recipientsDir,
    PIFU_HUB_DATA_DIR: join(workDir, 'data'),
    PIFU_HUB_ROLES_FILE: rolesFile,
    LOG_LEVEL: 'warn',
  };
}

function startHub(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [join(findPackageRoot(), 'bin', 'pifu-hub.js'), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function runHub(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = startHub(args, env);
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await once(child);
  if (code !== 0) throw new HubError('PIFU_INTERNAL', `pifu-hub ${args[0]} exited ${code}`);
  return stdout;
}

function once(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';
const round = (value: number): number => Number(value.toFixed(3));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(),
      );
    });
  });
}

/** Asks every 100 ms, for at most 30 s: bounded, so a server that never starts ends the bench. */
async function waitFor(ready: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new HubError('PIFU_INTERNAL', `bench --api: waited 30 s for ${what}`);
}

interface Timed {
  readonly ms: number;
  readonly status: number;
  readonly bytes: number;
  readonly error?: string;
}

function get(url: string, headers: Record<string, string>, agent?: Agent): Promise<Timed> {
  const started = performance.now();
  return new Promise((resolve) => {
    const finish = (status: number, bytes: number, error?: string) =>
      resolve({ ms: performance.now() - started, status, bytes, ...(error === undefined ? {} : { error }) });
    const outgoing = request(url, { headers, agent, timeout: requestTimeoutMs }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () =>
        finish(
          response.statusCode ?? 0,
          bytes,
          response.statusCode === 200 ? undefined : `HTTP ${response.statusCode}`,
        ),
      );
      response.on('error', (error) => finish(0, bytes, error.message));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer in ${requestTimeoutMs} ms`)));
    outgoing.on('error', (error) => finish(0, 0, error.message));
    outgoing.end();
  });
}

function latencies(results: readonly Timed[], ok: (result: Timed) => boolean): Latencies {
  const sorted = results.map((result) => result.ms).sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
  return {
    requests: results.length,
    errors: results.filter((result) => !ok(result)).length,
    p50_ms: Math.round(at(0.5)),
    p95_ms: Math.round(at(0.95)),
    p99_ms: Math.round(at(0.99)),
    max_ms: Math.round(sorted.at(-1) ?? 0),
  };
}
