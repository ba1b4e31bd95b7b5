import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * `bench --recipients --feed-digests PATH`: the sha-256 of every delivered file of a night, one
 * `<recipient> <sha-256>` line each, sorted, so two builds' feed bytes compare with `diff` (file names carry
 * run ids and times, so the lines name the recipient only).
 */
export async function writeFeedDigests(dropDir: string, path: string): Promise<void> {
  const lines: string[] = [];
  const entries = await readdir(dropDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const recipient = relative(dropDir, file).split('/')[0] ?? '';
    lines.push(`${recipient} ${await sha256Of(file)}`);
  }
  lines.sort();
  await writeFile(path, `${lines.join('\n')}\n`);
}
