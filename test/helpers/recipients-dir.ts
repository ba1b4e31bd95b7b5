import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRecipientConfigs, type RecipientConfig } from '../../src/config/index.js';
import { scratchDir } from './scratch-dir.js';

const fixturesDir = new URL('../../fixtures/recipients/', import.meta.url).pathname;

/**
 * A copy of the shipped recipient configs whose file drops deliver under `dropDir/<recipient>/`, for
 * tests that export through the configured transports (`export --out` only previews).
 */
export function fixtureRecipientsDelivering(dropDir: string): string {
  const dir = scratchDir('pifu-recipients-');
  mkdirSync(dropDir, { recursive: true });
  for (const name of readdirSync(fixturesDir).filter((file) => file.endsWith('.json'))) {
    const config = JSON.parse(readFileSync(join(fixturesDir, name), 'utf8')) as {
      id: string;
      transport: Record<string, unknown>;
    };
    delete (config as Record<string, unknown>)['$schema'];
    config.transport = { kind: 'file-drop', directory: join(dropDir, config.id) };
    writeFileSync(join(dir, name), JSON.stringify(config, null, 2));
  }
  return dir;
}

/**
 * The shipped recipient configs (all, or those in `ids`), each delivering by file drop to
 * `dropDir/<recipient>/`: for tests that run exports in process through the real profiles.
 */
export function shippedRecipients(dropDir: string, ids?: readonly string[]): RecipientConfig[] {
  return loadRecipientConfigs(fixturesDir)
    .filter((config) => ids === undefined || ids.includes(config.id))
    .map((config) => ({ ...config, transport: { kind: 'file-drop', directory: join(dropDir, config.id) } }));
}
