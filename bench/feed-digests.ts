import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * The header's `<datetime>` is the snapshot's time (the records store's latest change), which differs
 * between two bench runs: the database is loaded anew. Masked, the rest of the feed compares.
 */
const snapshotTime = /<datetime>[^<]*<\/datetime>/;

/** A feed's sha-256 with its header's snapshot time masked (the header lies in the first chunk). */
async function feedDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  let first = true;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    hash.update(first ? Buffer.from(bytes.toString('utf8').replace(snapshotTime, '<datetime/>')) : bytes);
    first = false;
  }
  return hash.digest('hex');
}

/**
 * `bench --recipients --feed-digests PATH`: each delivered feed's sha-256, its snapshot time masked, one
 * `<recipient> <sha-256>` line each, sorted, so two builds' feed bytes compare with `diff` (file names
 * carry run ids, and the `.sha256` files beside the feeds the unmasked digest: both left out). A
 * pseudonymised recipient's feed (conexus-engage) differs between runs all the same: its pseudonym secret
 * is made anew in each bench database. Checked: two runs of `--scale tiny` give the same lines for the 15
 * others.
 */
export async function writeFeedDigests(dropDir: string, path: string): Promise<void> {
  const lines: string[] = [];
  const entries = await readdir(dropDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.xml')) continue;
    const file = join(entry.parentPath, entry.name);
    const recipient = relative(dropDir, file).split('/')[0] ?? '';
    lines.push(`${recipient} ${await feedDigest(file)}`);
  }
  lines.sort();
  await writeFile(path, `${lines.join('\n')}\n`);
}
