import { failedSignIns } from '../../../jobs/http/failed-sign-ins.js';
import { httpStatusOf } from '../../../jobs/http/http-errors.js';
import { errorCodes } from '../../../src/errors/index.js';

describe('failed sign-ins per address', () => {
  it('turns an address away after the limit until its window ends, and no other address', () => {
    const limiter = failedSignIns({ maxFailures: 3, windowMs: 60_000 });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(limiter.retryAfterSeconds('10.0.0.1', 1_000)).toBe(0);
      limiter.recordFailure('10.0.0.1', 1_000);
    }
    expect(limiter.retryAfterSeconds('10.0.0.1', 1_000)).toBe(60);
    expect(limiter.retryAfterSeconds('10.0.0.1', 31_000)).toBe(30);
    expect(limiter.retryAfterSeconds('10.0.0.2', 31_000)).toBe(0);
    expect(limiter.retryAfterSeconds('10.0.0.1', 61_000)).toBe(0);
  });

  it('keeps at most maxAddresses, forgetting the oldest first', () => {
    const limiter = failedSignIns({ maxFailures: 1, windowMs: 60_000, maxAddresses: 2 });
    limiter.recordFailure('a', 0);
    limiter.recordFailure('b', 0);
    limiter.recordFailure('c', 0);
    expect(['a', 'b', 'c'].map((address) => limiter.retryAfterSeconds(address, 0) > 0)).toEqual([
      false,
      true,
      true,
    ]);
  });
});

describe('HTTP status per error code', () => {
  it('gives every catalogue code a status: 4xx for what the caller can fix, 5xx for the rest', () => {
    expect(Object.keys(httpStatusOf).sort()).toEqual(Object.keys(errorCodes).sort());
    expect(httpStatusOf.PIFU_USAGE_INVALID).toBe(400);
    expect(httpStatusOf.PIFU_UNAUTHENTICATED).toBe(401);
    expect(httpStatusOf.PIFU_FORBIDDEN).toBe(403);
    expect(httpStatusOf.PIFU_FEED_UNKNOWN).toBe(404);
    expect(httpStatusOf.PIFU_AUTH_RATE_LIMITED).toBe(429);
    for (const [code, status] of Object.entries(httpStatusOf)) {
      const retryable = errorCodes[code as keyof typeof errorCodes].retryable;
      // A retryable error is never the caller's fault, except being told to slow down.
      if (retryable && code !== 'PIFU_AUTH_RATE_LIMITED') expect([code, status >= 500]).toEqual([code, true]);
    }
  });
});
