/**
 * Peak resident memory while the bench runs, in MB (1e6 bytes, like the feed size). Sampling alone
 * misses peaks inside long synchronous stretches (the timer cannot fire then), and maxRSS alone is the
 * whole process's lifetime peak; the larger of the two is reported.
 */
export function startPeakRssSampler(intervalMs = 50): { stop(): number } {
  let peakBytes = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
  }, intervalMs);
  timer.unref(); // never keeps the process alive on its own
  return {
    stop: () => {
      clearInterval(timer);
      const maxRssBytes = process.resourceUsage().maxRSS * 1024; // maxRSS is in KiB
      return Math.max(peakBytes, process.memoryUsage.rss(), maxRssBytes) / 1e6;
    },
  };
}
