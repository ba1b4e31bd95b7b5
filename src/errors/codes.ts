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
  PIFU_SOURCE_DROP: {
    retryable: false,
    summary: 'The snapshot shrank more than the source guard allows; nothing was sent.',
  },
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
  PIFU_DATA_DIR_LOCKED: {
    retryable: false,
    summary: 'Another process is using the embedded database; it serves one process at a time.',
  },
  PIFU_QUEUE_UNAVAILABLE: { retryable: true, summary: 'Redis could not be reached or started.' },
  PIFU_HEARTBEAT_STALE: {
    retryable: true,
    summary: 'A worker or scheduler has not written its heartbeat lately: it hangs, stopped, or lost Redis.',
  },
  PIFU_SEED_INVALID: {
    retryable: false,
    summary: 'The synthetic generator was asked for something it cannot make.',
  },
  PIFU_RUN_UNKNOWN: { retryable: false, summary: 'No run with that id exists.' },
  PIFU_TRANSFER_UNKNOWN: { retryable: false, summary: 'No transfer with that id exists.' },
  PIFU_FEED_UNKNOWN: { retryable: false, summary: 'No feed with that id exists.' },
  PIFU_HOLD_UNKNOWN: { retryable: false, summary: 'No hold exists for that transfer.' },
  PIFU_PERSON_UNKNOWN: {
    retryable: false,
    summary: 'A person key is well-formed but neither the source nor the hub knows it.',
  },
  PIFU_SCHOOL_UNKNOWN: {
    retryable: false,
    summary: 'A school reference is well-formed but the source has no such school.',
  },
  PIFU_USAGE_INVALID: {
    retryable: false,
    summary: 'A command-line argument or request field is missing, malformed or out of bounds.',
  },
  PIFU_RETRY_REFUSED: {
    retryable: false,
    summary: 'A transfer cannot be delivered again as it stands; the message says what to do instead.',
  },
  PIFU_FILE_UNREADABLE: { retryable: false, summary: 'A file named on the command line cannot be read.' },
  PIFU_FILE_REFUSED: {
    retryable: false,
    summary:
      'An input file is unsafe or past a limit (entities, size, time, depth, encoding); nothing was used.',
  },
  PIFU_IMPORT_REFUSED: {
    retryable: false,
    summary: 'A PIFU file breaks rules the import does not tolerate; nothing was imported.',
  },
  PIFU_STORE_NOT_SYNTHETIC: {
    retryable: false,
    summary: 'A development command refused to write synthetic data into a store the hub did not create.',
  },
  PIFU_ERASURE_PENDING: {
    retryable: false,
    summary: 'A person was forgotten, but the deletion has not reached every recipient holding them yet.',
  },
  PIFU_RESTRICTION_PENDING: {
    retryable: false,
    summary:
      'A person was restricted, but the deletion has not reached every chosen recipient holding them yet.',
  },
  PIFU_RESTRICTION_UNKNOWN: {
    retryable: false,
    summary: 'No active restriction of that person matches the recipients named.',
  },
  PIFU_FORBIDDEN: { retryable: false, summary: 'The actor lacks the role this action needs (R4).' },
  PIFU_RUN_FINISHED: {
    retryable: false,
    summary: 'The run has finished already, so it cannot be cancelled.',
  },
  PIFU_HOLD_DECIDED: {
    retryable: false,
    summary: 'A held delta was already decided (approved, rejected, or superseded by a newer state).',
  },
  PIFU_TRANSFER_STALE: {
    retryable: false,
    summary: "A feed's base is no longer the recipient's current delivered state.",
  },
  PIFU_RECIPIENT_BUSY: {
    retryable: true,
    summary: "Another delivery held the recipient's lock too long.",
  },
  PIFU_UNAUTHENTICATED: {
    retryable: false,
    summary: 'An API request carried no valid token: none, an unknown one, or a revoked one.',
  },
  PIFU_AUTH_RATE_LIMITED: {
    retryable: true,
    summary: 'Too many failed sign-ins from one address; the API refuses it for a while.',
  },
  PIFU_TOKEN_UNKNOWN: { retryable: false, summary: 'No API token with that name exists.' },
  PIFU_TOKEN_NAME_TAKEN: {
    retryable: false,
    summary: 'An API token with that name exists or existed; names are never reused.',
  },
  PIFU_ROUTE_UNKNOWN: { retryable: false, summary: 'The API has no such route or method.' },
  PIFU_INTERNAL: {
    retryable: false,
    summary: 'Something failed that the hub did not expect: a bug, or a failure of the machine itself.',
  },
} as const;

export type ErrorCode = keyof typeof errorCodes;
