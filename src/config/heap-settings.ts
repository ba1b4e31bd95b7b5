import v8 from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full GC kept alive before it collects
 * again, in percent. V8's own choice is dynamic, up to 4× the live size while the process allocates
 * fast, as the hub does writing a feed; 1.5× takes the hub's Oslo-scale peak RSS from about 470 to 250 MB
 * for about 10 % more CPU (docs/deployment.md#memory).
 */
const heapGrowingPercent = 50;

/**
 * Applies the hub's V8 heap settings to this process; bin/launch.js calls it before either binary's CLI
 * loads (pifu-hub, pifu-hub-dev), so they hold from the first full GC on. A `--heap-growing-percent` given on node's own command line wins
 * (0 is V8's own choice); node refuses the flag in NODE_OPTIONS.
 */
export function applyHeapSettings(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((flag) => /^--heap[-_]growing[-_]percent(=|$)/.test(flag))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
}
