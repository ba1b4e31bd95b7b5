import { readdirSync, rmSync } from 'node:fs';
import { FileDropTransport } from '../../../connectors/transports/file-drop/index.js';
import { spooledFeed } from '../../helpers/spooled-feed.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const spool = scratchDir('file-drop-spool-');

describe('file drop and the spool file', () => {
  it('refuses for good, writing nothing, when the feed file left the spool before delivery', async () => {
    const drop = scratchDir('file-drop-');
    const feed = spooledFeed(spool, '<enterprise/>');
    rmSync(feed.path);
    await expect(
      new FileDropTransport({ kind: 'file-drop', directory: drop }).deliver(feed),
    ).rejects.toMatchObject({
      code: 'PIFU_SPOOL_MISSING',
    });
    expect(readdirSync(drop)).toEqual([]);
  });

  it('still answers "delivered" for a transfer already in place, even once its spool file is gone', async () => {
    const drop = scratchDir('file-drop-');
    const transport = new FileDropTransport({ kind: 'file-drop', directory: drop });
    const feed = spooledFeed(spool, '<enterprise/>');
    const first = await transport.deliver(feed);
    rmSync(feed.path);
    await expect(transport.deliver(feed)).resolves.toEqual(first);
    expect(readdirSync(drop).sort()).toEqual([feed.fileName, `${feed.fileName}.sha256`]);
  });
});
