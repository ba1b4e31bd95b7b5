import './resolve-ts-extensions.cjs';
import pg from 'pg';
import { ensurePostgres, ensureRedis, templateDatabaseName } from './services.js';
import { migrateTemplate } from './migrate-template.js';

/**
 * Finds (or starts) real PostgreSQL and Redis once per run, and migrates the template database that
 * every test file clones. Jest shares globalThis between global setup and teardown only.
 */
export default async function globalSetup(): Promise<void> {
  const postgres = await ensurePostgres();
  const redis = await ensureRedis();
  process.env['TEST_DATABASE_URL'] = postgres.url;
  process.env['TEST_REDIS_URL'] = redis.url;
  (globalThis as Record<string, unknown>)['__pifuServices'] = {
    stopPostgres: postgres.stop,
    stopRedis: redis.stop,
  };

  const template = templateDatabaseName();
  process.env['TEST_TEMPLATE_DATABASE'] = template;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgres.url);
  url.pathname = `/${template}`;
  await migrateTemplate(url.toString());
}
