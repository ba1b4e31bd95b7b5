export { nextPullFeed, fetchPullFeed } from './fetch-pull-feed.js';
export { acknowledgePull } from './acknowledge-pull.js';
export type { PullAnswer, PullFeed } from './pull-access.js';
