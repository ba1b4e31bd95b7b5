import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ScratchRoot {
  readonly dir: string;
  readonly previous: string | undefined;
  projects: number;
}

const key = '__pifuScratchRoot';
const held = (): ScratchRoot | undefined =>
  (globalThis as Record<string, unknown>)[key] as ScratchRoot | undefined;

/**
 * One directory per jest run holds every test's scratch: from global setup on, TMPDIR points there, so
 * `os.tmpdir()` in the tests, in the product code they run and in the processes they start (which inherit
 * the environment) all write inside it, and global teardown removes it with whatever a test left (a killed
 * CLI's spool, a failed test's feeds). Spools and feeds hold personal-data-shaped rows; none outlive the
 * run. Each project's global setup enters it and its teardown leaves it; the last to leave removes it,
 * after the integration project has stopped the services it may have started inside it.
 */
export function enterScratchRoot(): void {
  const root = held();
  if (root !== undefined) {
    root.projects += 1;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'pifu-test-'));
  // Traversable, not listable: a throwaway PostgreSQL runs as `nobody` (test/setup/services.ts) in a
  // directory of its own in here; every test directory is made 0700 by mkdtemp.
  chmodSync(dir, 0o711);
  (globalThis as Record<string, unknown>)[key] = { dir, previous: process.env['TMPDIR'], projects: 1 };
  process.env['TMPDIR'] = dir;
}

export function leaveScratchRoot(): void {
  const root = held();
  if (root === undefined) return;
  root.projects -= 1;
  if (root.projects > 0) return;
  if (root.previous === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = root.previous;
  delete (globalThis as Record<string, unknown>)[key];
  rmSync(root.dir, { recursive: true, force: true });
}
