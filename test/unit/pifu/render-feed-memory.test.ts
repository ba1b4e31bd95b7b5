import type { Membership } from '../../../src/model/index.js';
import { renderFeed, toFeedPerson, type FeedEntry, type FeedPerson } from '../../../src/pifu/index.js';
import { feedInput, sampleMembership, samplePerson } from './feed-fixture.js';

const personCount = 100_000;

async function* lazyPersons(): AsyncGenerator<FeedEntry<FeedPerson>> {
  for (let i = 0; i < personCount; i++)
    yield { object: toFeedPerson(samplePerson({ key: `p-${String(i).padStart(6, '0')}` })) };
}

async function* lazyMemberships(): AsyncGenerator<FeedEntry<Membership>> {
  for (let i = 0; i < personCount; i++) {
    const groupKey = `g-${String(Math.floor(i / 25)).padStart(5, '0')}`;
    yield { object: sampleMembership({ groupKey, personKey: `p-${String(i).padStart(6, '0')}` }) };
  }
}

describe('renderFeed memory', () => {
  it('keeps heap growth under 50 MB while writing 100k persons and memberships', async () => {
    const input = { ...feedInput({}), persons: lazyPersons(), memberships: lazyMemberships() };
    const heapBefore = process.memoryUsage().heapUsed;
    let peakGrowth = 0;
    let sizeBytes = 0;
    let fragments = 0;
    for await (const fragment of renderFeed(input)) {
      sizeBytes += fragment.length;
      fragments++;
      if (fragments % 10_000 === 0)
        peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - heapBefore);
    }
    expect(fragments).toBe(2 * personCount + 3);
    expect(sizeBytes).toBeGreaterThan(100 * 1024 * 1024);
    expect(peakGrowth).toBeLessThan(50 * 1024 * 1024);
  });
});
