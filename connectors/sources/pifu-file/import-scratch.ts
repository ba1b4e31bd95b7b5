import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { currentProcess, processState, type ProcessIdentity } from '../../../src/run/index.js';

/** A scratch directory whose reading process cannot be looked at is removed once it is this old. */
const abandonedAgeMs = 24 * 3600_000;
const ownerFile = 'owner.json';
/** `mkdtemp`'s names: `import-` and six characters (not `import-bases`, the kept rosters). */
const scratchName = /^import-[A-Za-z0-9]{6}$/;

/**
 * A read's scratch directory, `import-XXXXXX/` under the spool (0700), naming the process that reads in
 * `owner.json`. It holds persons' values while the file is read and is removed when the read ends; a
 * read that never ends (kill -9, a crash, a power cut) leaves it behind, so each read first removes the
 * scratch directories of reads whose process is gone: on this host by its pid and start time, elsewhere
 * (a shared spool) once a day old, as the kept rosters' leftovers are (import-base.ts).
 */
export async function makeImportScratch(scratchDir: string): Promise<string> {
  await mkdir(scratchDir, { recursive: true, mode: 0o700 });
  await removeAbandonedScratch(scratchDir);
  const scratch = await mkdtemp(join(scratchDir, 'import-'));
  const me = currentProcess();
  const owner = { host: me.host, pid: me.pid, startedAt: me.startedAt.toISOString() };
  await writeFile(join(scratch, ownerFile), JSON.stringify(owner), { mode: 0o600 });
  return scratch;
}

async function removeAbandonedScratch(scratchDir: string): Promise<void> {
  for (const name of await readdir(scratchDir)) {
    if (!scratchName.test(name)) continue;
    const dir = join(scratchDir, name);
    const owner = await readOwner(dir);
    const state = owner === undefined ? 'unknown' : processState(owner);
    if (state === 'alive') continue;
    if (state === 'unknown') {
      const age = await stat(dir).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (age < abandonedAgeMs) continue;
    }
    await rm(dir, { recursive: true, force: true });
  }
}

async function readOwner(dir: string): Promise<ProcessIdentity | undefined> {
  try {
    const owner = JSON.parse(await readFile(join(dir, ownerFile), 'utf8')) as Record<string, unknown>;
    const startedAt = new Date(String(owner['startedAt']));
    if (typeof owner['host'] !== 'string' || typeof owner['pid'] !== 'number') return undefined;
    if (Number.isNaN(startedAt.getTime())) return undefined;
    return { host: owner['host'], pid: owner['pid'], startedAt };
  } catch {
    return undefined;
  }
}
