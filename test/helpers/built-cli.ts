import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const repository = fileURLToPath(new URL('../../', import.meta.url));

/**
 * dist/ is what bin/pifu-hub.js runs: rebuilt here when any source is newer, so a test that runs the
 * built CLI never runs (or measures) stale code. `npm install` builds it (the `prepare` script).
 */
export function ensureBuilt(): void {
  const newest = (dir: string, suffix: string): number =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith(suffix))
      .reduce((latest, name) => Math.max(latest, statSync(join(dir, name)).mtimeMs), 0);
  const built = existsSync(join(repository, 'dist')) ? newest(join(repository, 'dist'), '.js') : 0;
  const sources = Math.max(
    ...['src', 'jobs', 'connectors', 'schemas'].map((dir) => newest(join(repository, dir), '.ts')),
  );
  if (built > sources) return;
  execFileSync(
    process.execPath,
    [join(repository, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: repository, stdio: 'pipe' },
  );
}
