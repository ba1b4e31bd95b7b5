import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Membership } from '../../../src/model/index.js';
import { renderFeed, toFeedPerson, type FeedEntry, type FeedPerson } from '../../../src/pifu/index.js';
import { feedInput, sampleMembership, samplePerson } from './feed-fixture.js';

// Enough that keeping the feed (over 30 MB) or its persons would show far above the 16 MB bound.
const personCount = 30_000;

// The heap is measured after a full collection, so what counts is what the writer keeps, not garbage
// left by the test files that ran before in the same process.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const retainedHeap = (): number => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

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
  it('keeps what it retains on the heap under 16 MB while writing 30k persons and memberships', async () => {
    const input = { ...feedInput({}), persons: lazyPersons(), memberships: lazyMemberships() };
    const heapBefore = retainedHeap();
    let peakGrowth = 0;
    let sizeBytes = 0;
    let fragments = 0;
    for await (const fragment of renderFeed(input)) {
      sizeBytes += fragment.length;
      fragments++;
      if (fragments % 15_000 === 0) peakGrowth = Math.max(peakGrowth, retainedHeap() - heapBefore);
    }
    expect(fragments).toBe(2 * personCount + 3);
    expect(sizeBytes).toBeGreaterThan(30 * 1024 * 1024);
    // A writer that kept the feed (over 30 MB) or its 30k persons would retain far more.
    expect(peakGrowth).toBeLessThan(16 * 1024 * 1024);
  });
});
