export { writeRecipientFeed, type FeedSummary } from './write-recipient-feed.js';
export { findFeed, recordFeedFailed } from './feed-repository.js';
export { previewRecipientFeed, type PreviewedFeed } from './preview-recipient-feed.js';
export { pseudonymSecret } from './pseudonym-secret.js';
export { previewFeed, maskName, type FeedPreview, type MaskedPerson } from './preview-feed.js';
export { loadViewInputs, recipientView } from './render-recipient-feed.js';
export { inFeedWritingOrder } from './shared-person-pass.js';
