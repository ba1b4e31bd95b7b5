import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HubError } from '../errors/index.js';

let cachedRoot: string | undefined;

/**
 * The directory holding package.json, found by walking up from this module, because the same code runs
 * from `src/pifu/` under jest and from `dist/src/pifu/` once built.
 */
export function findPackageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) {
      throw new HubError(
        'PIFU_CONFIG_INVALID',
        `no package.json above ${fileURLToPath(import.meta.url)}; reinstall pifu-hub`,
      );
    }
    directory = parent;
  }
  cachedRoot = directory;
  return directory;
}
