import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPackageRoot } from '../pifu/package-root.js';

/** The installed pifu-hub's version, from its package.json (`--version`, and later the API). */
export function hubVersion(): string {
  const manifest = JSON.parse(readFileSync(join(findPackageRoot(), 'package.json'), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? 'unknown';
}
