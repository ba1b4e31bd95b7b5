import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSpoolFile } from '../../../src/files/index.js';
import type { HubError } from '../../../src/errors/index.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

describe('checkSpoolFile, run by every transport before it connects', () => {
  const dir = scratchDir('spool-file-');
  const path = join(dir, 'feed.xml');
  writeFileSync(path, '<enterprise/>');

  it('passes a feed file that is there with the size it was written with', async () => {
    await expect(checkSpoolFile({ transferId: 't-1', path, sizeBytes: 13 })).resolves.toBeUndefined();
  });

  it('refuses a feed file that is gone, for good: PIFU_SPOOL_MISSING', async () => {
    const missing = join(dir, 'missing.xml');
    await expect(checkSpoolFile({ transferId: 't-1', path: missing, sizeBytes: 13 })).rejects.toMatchObject({
      code: 'PIFU_SPOOL_MISSING',
      retryable: false,
      message: `PIFU_SPOOL_MISSING: transfer t-1: feed file ${missing} is gone`,
    } satisfies Partial<HubError>);
  });

  it('refuses a feed file whose size changed since it was written', async () => {
    await expect(checkSpoolFile({ transferId: 't-1', path, sizeBytes: 14 })).rejects.toMatchObject({
      code: 'PIFU_SPOOL_MISSING',
      message: `PIFU_SPOOL_MISSING: transfer t-1: feed file ${path} has 13 bytes, not the 14 written`,
    });
  });
});
