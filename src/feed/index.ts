export { writeRecipientFeed, type FeedSummary } from './write-recipient-feed.js';
export { findFeed, recordFeedFailed } from './feed-repository.js';
