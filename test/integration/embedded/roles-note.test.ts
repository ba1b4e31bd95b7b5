import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedEnv, runBin } from './support/hub-bin.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * Without a roles file the embedded default grants every role (a demo, one person on one machine), and
 * says so on stderr once per data directory — not on every command, where it would drown real errors.
 */
describe('the embedded default says once that it grants every role', () => {
  it('prints the note at the first command that needs an actor, then never again for that directory', async () => {
    const base = scratchDir('pifu-note-');
    try {
      const env = embeddedEnv(join(base, 'data'));
      const first = await runBin(['runs'], { env, cwd: base });
      const second = await runBin(['runs'], { env, cwd: base });
      expect([first.exitCode, first.everyRoleNote]).toEqual([0, true]);
      expect([second.exitCode, second.everyRoleNote]).toEqual([0, false]);
      const elsewhere = await runBin(['runs'], { env: embeddedEnv(join(base, 'other')), cwd: base });
      expect(elsewhere.everyRoleNote).toBe(true);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 120_000);
});
