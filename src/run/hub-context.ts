import type { Kysely } from 'kysely';
import type { RecipientConfig, SourceDropLimits } from '../config/index.js';
import type { HubDatabase } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { SourceConnector, TransportFactory } from '../ports/index.js';
import type { RetentionPolicy } from '../retention/retention-policy.js';
import type { ScopeClock } from './scope-date.js';

/**
 * What the core's run steps need, handed in by the process entry point: the core names no concrete
 * source, transport or queue. The same context serves BullMQ processors, the in-process runner and tests.
 */
export interface HubContext {
  readonly db: Kysely<HubDatabase>;
  readonly source: SourceConnector;
  readonly recipients: ReadonlyMap<string, RecipientConfig>;
  readonly transportFor: TransportFactory;
  /** Shared by every worker that may take a step of the same run. */
  readonly spoolDir: string;
  readonly logger: Logger;
  readonly now: () => Date;
  /** The source sanity guard's limits; undefined: the defaults. */
  readonly sourceDropLimits?: SourceDropLimits;
  /** Which clock decides a run's scope date; undefined: `auto`. */
  readonly scopeClock?: ScopeClock;
  /** How long the hub keeps what it holds (R3); undefined: the defaults. */
  readonly retention?: RetentionPolicy;
}
