export { renderFeed } from './render-feed.js';
export type { FeedEntry, FeedInput } from './feed-input.js';
export { readFeed, type FeedSource } from './read-feed.js';
export type { FeedDocument, FeedProperties } from './feed-document.js';
export { toFeedPerson, type FeedPerson } from './feed-person.js';
export { validateFeedFile, validateFeedText, type FeedValidation } from './validate-feed.js';
