/**
 * What a delta says about one object, against what the recipient last acknowledged (docs/requirements.md#d1).
 * Turned into PIFU recstatus 1/2/3 only in `src/pifu`.
 */
export type ChangeKind = 'add' | 'change' | 'delete';

/** Full feeds carry every object with no change kind; delta feeds carry one on every object. */
export type FeedType = 'full' | 'delta';
