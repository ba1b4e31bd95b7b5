import fc from 'fast-check';

/**
 * How many cases every property runs: FC_RUNS, or 25 when it is unset, so that the unit project stays
 * quick to run while writing code. CI (.ci/run) sets FC_RUNS=300, no fewer than any property ran when
 * each chose its own count. A failure prints its seed and path; replay it with that, not with more runs.
 */
const configured = process.env['FC_RUNS'];
const numRuns = Number(configured ?? 25);
if (!Number.isInteger(numRuns) || numRuns < 1) {
  throw new Error(`FC_RUNS must be a whole number of runs per property, not "${configured}"`);
}
fc.configureGlobal({ numRuns });
