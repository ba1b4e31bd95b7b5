/**
 * Counts failed sign-ins per client address and turns an address away once it has failed too often in
 * a window (`PIFU_AUTH_RATE_LIMITED`, 429), valid token or not, until the window ends. Our own counter
 * rather than @fastify/rate-limit: that plugin counts every request, so limiting guessers would also
 * throttle a recipient's legitimate pulls and the dashboard's page loads; here only failures count, so
 * clients that sign in properly are never slowed down. In memory per serving process: with several
 * behind a balancer each allows `maxFailures` (still far too few to guess a 256-bit token).
 */
export interface FailedSignIns {
  /** Seconds until the address may try again; 0 when it may now. */
  retryAfterSeconds(address: string, now?: number): number;
  recordFailure(address: string, now?: number): void;
}

export function failedSignIns(
  options: { maxFailures?: number; windowMs?: number; maxAddresses?: number } = {},
): FailedSignIns {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const maxAddresses = options.maxAddresses ?? 10_000;
  const failures = new Map<string, { count: number; since: number }>();
  const current = (address: string, now: number) => {
    const entry = failures.get(address);
    if (entry !== undefined && now - entry.since >= windowMs) {
      failures.delete(address);
      return undefined;
    }
    return entry;
  };
  return {
    retryAfterSeconds(address, now = Date.now()) {
      const entry = current(address, now);
      if (entry === undefined || entry.count < maxFailures) return 0;
      return Math.max(1, Math.ceil((entry.since + windowMs - now) / 1000));
    },
    recordFailure(address, now = Date.now()) {
      const entry = current(address, now);
      if (entry !== undefined) {
        entry.count += 1;
        return;
      }
      // Bounded, so a flood from many addresses cannot grow it without end: the oldest go first.
      while (failures.size >= maxAddresses) {
        const oldest = failures.keys().next().value;
        if (oldest === undefined) break;
        failures.delete(oldest);
      }
      failures.set(address, { count: 1, since: now });
    },
  };
}
