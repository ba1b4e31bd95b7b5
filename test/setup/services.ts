import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  findFreePort,
  findRedisServer,
  pingRedis,
  startEmbeddedRedis,
} from '../../src/queue/embedded-redis.js';

/**
 * The template every migrated test database is cloned from (see test/helpers/test-database.ts). One per
 * jest run, named by global setup, so two runs on one server (two developers, CI and a local run) never
 * drop each other's template.
 */
export function templateDatabaseName(): string {
  return process.env['TEST_TEMPLATE_DATABASE'] ?? `pifu_test_template_${process.pid}`;
}

/** The scales global setup seeds into templates of their own (seed 7). */
export const seededScales = ['tiny', 'mini', 'small'] as const;
export type SeededScale = (typeof seededScales)[number];

export function seededTemplateName(scale: SeededScale): string {
  return `${templateDatabaseName()}_${scale}`;
}

export function adminDatabaseUrl(): string {
  const url = process.env['TEST_DATABASE_URL'];
  if (url === undefined) throw new Error('TEST_DATABASE_URL is not set: run through jest global setup');
  return url;
}

export function testRedisUrl(): string {
  const url = process.env['TEST_REDIS_URL'];
  if (url === undefined) throw new Error('TEST_REDIS_URL is not set: run through jest global setup');
  return url;
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Uses the PostgreSQL the machine runs (or TEST_DATABASE_URL); when none answers, starts a throwaway
 * one from the machine's own binaries. PostgreSQL refuses to run as root, so as root it runs as `nobody`.
 */
export async function ensurePostgres(): Promise<{ url: string; stop?: () => void }> {
  const url = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await postgresAnswers(url)) return { url };
  const bin = findPostgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'pifu-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--'] : [];
  const run = (cmd: string, args: string[]): void => {
    const [head, ...rest] = [...asUser, cmd, ...args];
    execFileSync(head!, rest, { stdio: 'pipe' });
  };
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await findFreePort();
  run(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  const startedUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return { url: startedUrl, stop: () => run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']) };
}

function findPostgresBin(): string {
  try {
    return execFileSync('pg_config', ['--bindir']).toString().trim();
  } catch {
    const root = '/usr/lib/postgresql';
    const versions = existsSync(root) ? readdirSync(root).sort() : [];
    const newest = versions.at(-1);
    if (newest === undefined)
      throw new Error('no PostgreSQL found: install postgresql or set TEST_DATABASE_URL');
    return join(root, newest, 'bin');
  }
}

export async function ensureRedis(): Promise<{ url: string; stop?: () => Promise<void> }> {
  const url = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const parsed = new URL(url);
  if (await pingRedis(Number(parsed.port || 6379), parsed.hostname)) return { url };
  const binary = findRedisServer();
  if (binary === undefined)
    throw new Error('no Redis answers and no redis-server on PATH: install redis-server');
  const redis = await startEmbeddedRedis(binary);
  return { url: redis.url, stop: redis.stop };
}
