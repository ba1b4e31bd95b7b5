/**
 * Every error the hub raises, by stable code. docs/errors.md documents each one; a unit test fails when
 * the two disagree (Fastify's catalogue discipline).
 */
export const errorCodes = {
  PIFU_CONFIG_INVALID: { retryable: false, summary: 'A configuration value or file is invalid.' },
  PIFU_RECIPIENT_UNKNOWN: { retryable: false, summary: 'No recipient with that id is configured.' },
  PIFU_RECIPIENT_INVALID: { retryable: false, summary: 'A recipient configuration file is invalid.' },
  PIFU_SOURCE_UNAVAILABLE: { retryable: true, summary: 'The records store could not be reached or read.' },
  PIFU_SOURCE_INVALID: { retryable: false, summary: 'The records store holds data the hub cannot map.' },
  PIFU_FEED_INVALID: { retryable: false, summary: 'A feed does not validate against the PIFU-IMS XSD.' },
  PIFU_XML_UNREADABLE: { retryable: false, summary: 'A file is not well-formed PIFU-IMS XML.' },
  PIFU_MODEL_INVALID: {
    retryable: false,
    summary: 'A roster object breaks a PIFU rule and cannot be written.',
  },
  PIFU_TRANSPORT_FAILED: { retryable: true, summary: 'A transport could not deliver a feed (transient).' },
  PIFU_TRANSPORT_REJECTED: { retryable: false, summary: 'A recipient refused a feed for good.' },
  PIFU_SPOOL_MISSING: { retryable: false, summary: 'A run spool or feed file is gone before it was used.' },
  PIFU_DATABASE_FAILED: { retryable: true, summary: 'The hub database failed (transient).' },
  PIFU_QUEUE_UNAVAILABLE: { retryable: true, summary: 'Redis could not be reached or started.' },
  PIFU_SEED_INVALID: {
    retryable: false,
    summary: 'The synthetic generator was asked for something it cannot make.',
  },
  PIFU_RUN_UNKNOWN: { retryable: false, summary: 'No run or transfer with that id exists.' },
  PIFU_RUN_FINISHED: {
    retryable: false,
    summary: 'The run has finished already, so it cannot be cancelled.',
  },
  PIFU_FORBIDDEN: { retryable: false, summary: 'The operator lacks the role this command needs (R4).' },
  PIFU_HOLD_DECIDED: {
    retryable: false,
    summary: 'A held delta was already decided, or can no longer be approved because state moved on.',
  },
} as const;

export type ErrorCode = keyof typeof errorCodes;
