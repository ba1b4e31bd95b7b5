import './resolve-ts-extensions.cjs';
import pg from 'pg';
import { leaveScratchRoot } from './scratch-root.js';
import { seededScales, seededTemplateName } from './services.js';

/**
 * Drops this run's template database, stops whatever services global setup started, then leaves the run's
 * scratch directory (test/setup/scratch-root.ts).
 */
export default async function globalTeardown(): Promise<void> {
  const url = process.env['TEST_DATABASE_URL'];
  const template = process.env['TEST_TEMPLATE_DATABASE'];
  if (url !== undefined && template !== undefined) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      for (const database of [template, ...seededScales.map(seededTemplateName)]) {
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      }
    } finally {
      await admin.end();
    }
  }
  const services = (globalThis as Record<string, unknown>)['__pifuServices'] as
    { stopPostgres?: () => void; stopRedis?: () => Promise<void> } | undefined;
  await services?.stopRedis?.();
  services?.stopPostgres?.();
  leaveScratchRoot();
}
