import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDropTransport } from '../../../connectors/transports/file-drop/index.js';
import type { FeedFile } from '../../../src/ports/index.js';

function spooledFeed(): FeedFile {
  const spool = mkdtempSync(join(tmpdir(), 'file-drop-spool-'));
  const content = '<enterprise/>';
  const path = join(spool, 'feed.xml');
  writeFileSync(path, content);
  return {
    transferId: 't-1',
    recipientId: 'lms',
    path,
    fileName: 'lms-full.xml',
    sizeBytes: content.length,
    sha256Hex: createHash('sha256').update(content).digest('hex'),
  };
}

describe('file drop and the spool file', () => {
  it('refuses for good, writing nothing, when the feed file left the spool before delivery', async () => {
    const drop = mkdtempSync(join(tmpdir(), 'file-drop-'));
    const feed = spooledFeed();
    rmSync(feed.path);
    await expect(
      new FileDropTransport({ kind: 'file-drop', directory: drop }).deliver(feed),
    ).rejects.toMatchObject({
      code: 'PIFU_SPOOL_MISSING',
    });
    expect(readdirSync(drop)).toEqual([]);
  });

  it('still answers "delivered" for a transfer already in place, even once its spool file is gone', async () => {
    const drop = mkdtempSync(join(tmpdir(), 'file-drop-'));
    const transport = new FileDropTransport({ kind: 'file-drop', directory: drop });
    const feed = spooledFeed();
    const first = await transport.deliver(feed);
    rmSync(feed.path);
    await expect(transport.deliver(feed)).resolves.toEqual(first);
    expect(readdirSync(drop).sort()).toEqual(['lms-full.xml', 'lms-full.xml.sha256']);
  });
});
