import type { RosterProperties } from '../model/index.js';
import { osloDate } from '../schedule/index.js';

/**
 * Which clock decides a run's scope date: `wall`, today in Europe/Oslo (production: a pupil turns 18 on
 * their birthday whether or not the records store changed); `source`, the day of the source's latest
 * change (synthetic data living in its own school year); `auto`, the source's clock for a store that says
 * it holds synthetic data and the wall clock for any other.
 */
export type ScopeClock = 'auto' | 'wall' | 'source';
export const scopeClocks: readonly ScopeClock[] = ['auto', 'wall', 'source'];

/**
 * The Europe/Oslo calendar day a run's views are computed for: ages (guardian links end at 18), end
 * dates and date windows are read on it. Decided once per run, when its snapshot is first taken, and
 * stored on the run, so a retried step reproduces exactly the same feed.
 */
export function scopeDateOf(clock: ScopeClock, properties: RosterProperties, now: Date): string {
  const useSource = clock === 'source' || (clock === 'auto' && properties.synthetic === true);
  return osloDate(useSource ? new Date(properties.snapshotAt) : now);
}
