/**
 * Peak resident memory while the bench runs, in MB (1e6 bytes, like the feed size). Sampling alone
 * misses peaks inside long synchronous stretches (the timer cannot fire then), and maxRSS alone is the
 * whole process's lifetime peak; the larger of the two is reported by `stop`. `lap` is the sampled peak
 * since the previous lap (or the start): a phase's own peak, so a phase line says which phase sets the
 * run's peak (sampled only, since maxRSS cannot be reset; it may miss a short synchronous spike).
 * `window` is the same for a stretch of its own, which may overlap others (one recipient's feed and
 * delivery, beside the next recipient's): the sampled peak from the call until the returned end is.
 */
export function startPeakRssSampler(intervalMs = 50): {
  lap(): number;
  window(): () => number;
  stop(): number;
} {
  let peakBytes = process.memoryUsage.rss();
  let lapBytes = peakBytes;
  const windows = new Set<{ bytes: number }>();
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    peakBytes = Math.max(peakBytes, rss);
    lapBytes = Math.max(lapBytes, rss);
    for (const open of windows) open.bytes = Math.max(open.bytes, rss);
  }, intervalMs);
  timer.unref(); // never keeps the process alive on its own
  return {
    lap: () => {
      const rss = process.memoryUsage.rss();
      const lapPeak = Math.max(lapBytes, rss);
      lapBytes = rss;
      return Number((lapPeak / 1e6).toFixed(1));
    },
    window: () => {
      const open = { bytes: process.memoryUsage.rss() };
      windows.add(open);
      return () => {
        windows.delete(open);
        return Number((Math.max(open.bytes, process.memoryUsage.rss()) / 1e6).toFixed(1));
      };
    },
    stop: () => {
      clearInterval(timer);
      const maxRssBytes = process.resourceUsage().maxRSS * 1024; // maxRSS is in KiB
      return Math.max(peakBytes, process.memoryUsage.rss(), maxRssBytes) / 1e6;
    },
  };
}
