import { compactTimestamp, newRunId, runIds } from '../../../src/run/index.js';

describe('run ids', () => {
  it('derive feed, transfer and file names from the run id, so retries find the same ones', () => {
    const runId = newRunId(new Date('2026-11-23T02:00:00.123Z'), 'a1b2c3');
    expect(runId).toBe('run-20261123T020000Z-a1b2c3');
    const ids = runIds(runId);
    expect(ids.feedId('websak')).toBe('feed-20261123T020000Z-a1b2c3-websak');
    expect(ids.transferId('websak')).toBe('transfer-20261123T020000Z-a1b2c3-websak');
    expect(ids.feedFileName('websak', 'full')).toBe('websak_20261123T020000Z-a1b2c3_full.xml');
  });

  it('never contain a colon, which BullMQ rejects in custom job ids', () => {
    const ids = runIds(newRunId(new Date()));
    for (const id of [ids.runId, ids.feedId('x'), ids.transferId('x')]) expect(id).not.toContain(':');
    expect(compactTimestamp(new Date('2026-03-29T01:30:00Z'))).toBe('20260329T013000Z');
  });
});
