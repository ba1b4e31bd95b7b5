import './resolve-ts-extensions.cjs';
import pg from 'pg';
import {
  ensurePostgres,
  ensureRedis,
  seededScales,
  seededTemplateName,
  templateDatabaseName,
} from './services.js';
import { migrateTemplate, seedTemplate } from './migrate-template.js';
import { enterScratchRoot } from './scratch-root.js';

/**
 * Finds (or starts) real PostgreSQL and Redis once per run, and migrates the template database that
 * every test file clones. Jest shares globalThis between global setup and teardown only.
 */
export default async function globalSetup(): Promise<void> {
  enterScratchRoot();
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
  const urlOf = (database: string): string => {
    const url = new URL(postgres.url);
    url.pathname = `/${database}`;
    return url.toString();
  };
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${template}`);
    await migrateTemplate(urlOf(template));
    // Seeded templates: a test file clones one instead of loading the municipality again.
    for (const scale of seededScales) {
      const seeded = seededTemplateName(scale);
      await admin.query(`DROP DATABASE IF EXISTS ${seeded} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${seeded} TEMPLATE ${template}`);
      await seedTemplate(urlOf(seeded), scale);
    }
  } finally {
    await admin.end();
  }
}
