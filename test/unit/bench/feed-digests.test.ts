import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFeedDigests } from '../../../bench/feed-digests.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

describe('bench --feed-digests', () => {
  const dir = scratchDir('pifu-feed-digests-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const feed = (time: string, body: string) =>
    `<?xml version="1.0"?><enterprise><properties><datetime>${time}</datetime></properties>${body}</enterprise>`;

  async function digestsOf(run: string, files: Record<string, string>): Promise<string> {
    const drop = join(dir, run);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(drop, path, '..'), { recursive: true });
      writeFileSync(join(drop, path), text);
    }
    await writeFeedDigests(drop, join(dir, `${run}.txt`));
    return readFileSync(join(dir, `${run}.txt`), 'utf8');
  }

  it('compares feeds of two runs but for their snapshot time, one line per feed, .sha256 files left out', async () => {
    const first = await digestsOf('a', {
      'b-recipient/run-1.xml': feed('2026-01-01T00:00:00Z', '<person/>'),
      'b-recipient/run-1.xml.sha256': 'one',
      'a-recipient/run-1.xml': feed('2026-01-01T00:00:00Z', '<group/>'),
    });
    const second = await digestsOf('b', {
      'b-recipient/run-2.xml': feed('2026-02-02T02:02:02Z', '<person/>'),
      'b-recipient/run-2.xml.sha256': 'two',
      'a-recipient/run-2.xml': feed('2026-02-02T02:02:02Z', '<group/>'),
    });
    expect(second).toBe(first);
    expect(
      first
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[0]),
    ).toEqual(['a-recipient', 'b-recipient']);
    // A byte of the body differing is seen.
    const third = await digestsOf('c', {
      'b-recipient/run-3.xml': feed('2026-01-01T00:00:00Z', '<person />'),
      'a-recipient/run-3.xml': feed('2026-01-01T00:00:00Z', '<group/>'),
    });
    expect(third).not.toBe(first);
  });
});
