import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import type { Membership, Roster } from '../../../src/model/index.js';
import { writeRosterSpool } from '../../../src/spool/index.js';
import { sampleGroup, sampleMembership, samplePerson } from '../pifu/feed-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * The spool writes the persons beside the groups and memberships: a failure in one stream must stop the
 * other, reach the caller as itself, and leave no spool behind (a retried run then reads the source anew).
 */
describe('the run spool when a stream fails', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchDir('pifu-spool-failure-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects with the failing stream’s error, stops the other stream and writes no spool', async () => {
    const failure = new Error('source went away');
    let membershipsRead = 0;
    let membershipsStopped = false;
    const roster: Roster = {
      properties: { source: 'pifu-hub', snapshotAt: '2026-11-23T02:00:00Z' },
      async *persons() {
        yield samplePerson({ key: 'p-1' });
        // Fail while the memberships are being written.
        while (membershipsRead < 1_000) await setTimeout(5);
        throw failure;
      },
      async *groups() {
        yield sampleGroup({ key: 'g-1' });
      },
      async *memberships(): AsyncGenerator<Membership> {
        try {
          // Endless, as a big source is to a writer that never stops it.
          for (let i = 0; ; i++) {
            membershipsRead++;
            yield sampleMembership({ groupKey: 'g-1', personKey: `p-${String(i).padStart(9, '0')}` });
            if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
          }
        } finally {
          membershipsStopped = true;
        }
      },
    };
    await expect(writeRosterSpool(roster, join(dir, 'roster'))).rejects.toBe(failure);
    // The writer stops the stream; its generator ends as soon as its pending step settles.
    for (let wait = 0; wait < 200 && !membershipsStopped; wait++) await setTimeout(10);
    expect(membershipsStopped).toBe(true);
    expect(existsSync(join(dir, 'roster'))).toBe(false);
    // No partial file is left in the staging directory (a retry clears it before writing).
    const staging = readdirSync(dir).filter((name) => name.startsWith('roster.staging-'));
    for (const name of staging)
      expect(readdirSync(join(dir, name)).filter((f) => !f.endsWith('.frames'))).toEqual([]);
  }, 30_000);

  it('stops both streams when the caller aborts', async () => {
    const controller = new AbortController();
    const roster: Roster = {
      properties: { source: 'pifu-hub', snapshotAt: '2026-11-23T02:00:00Z' },
      async *persons() {
        for (let i = 0; ; i++) {
          yield samplePerson({ key: `p-${String(i).padStart(9, '0')}` });
          if (i === 50) controller.abort();
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
      async *groups() {
        yield sampleGroup({ key: 'g-1' });
      },
      async *memberships() {
        for (let i = 0; ; i++) {
          yield sampleMembership({ groupKey: 'g-1', personKey: `p-${String(i).padStart(9, '0')}` });
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
    };
    await expect(
      writeRosterSpool(roster, join(dir, 'roster'), { signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(existsSync(join(dir, 'roster'))).toBe(false);
  }, 30_000);
});
