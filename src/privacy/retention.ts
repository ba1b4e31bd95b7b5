import type { Kysely } from 'kysely';
import type { RecipientConfig } from '../config/index.js';
import type { HubDatabase } from '../db/index.js';
import type { Person } from '../model/index.js';
import { objectTypeCode } from '../state/index.js';

export interface OverdueHolding {
  readonly recipientId: string;
  readonly personKey: string;
  /** The last day the person was enrolled or employed, or undefined when the source does not say. */
  readonly inactiveSince: string | undefined;
}

/** The day a person's last enrolment or employment ended, if they are inactive; undefined if active. */
function inactiveSince(person: Person, on: string): string | null | undefined {
  const ongoing = person.affiliations.some(
    (affiliation) => affiliation.end === undefined || affiliation.end >= on,
  );
  if (person.status === 'active' && ongoing) return undefined;
  const ends = person.affiliations
    .map((affiliation) => affiliation.end)
    .filter((end): end is string => end !== undefined);
  return ends.length === 0 ? null : (ends.sort().at(-1) ?? null);
}

function monthsBefore(day: string, months: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() - months);
  return date.toISOString().slice(0, 10);
}

/**
 * R3's daily check: persons inactive for longer than `months` (default 3) whom a recipient still holds.
 * Pupils and staff only (a guardian's activity follows their children). Recipients that keep leavers on
 * purpose (`leavers: close`, the archive) are not reported: their retention follows the archive act.
 * One pass over the source's persons; only the overdue keys are looked up in delivered state.
 */
export async function findOverdueHoldings(
  db: Kysely<HubDatabase>,
  persons: AsyncIterable<Person>,
  options: {
    on: string;
    months?: number;
    recipients: readonly RecipientConfig[];
    /**
     * Called once every person is read, before the hub database is asked: the place to close the source
     * snapshot. On the embedded database source and hub share PGlite's one connection, which an open
     * snapshot holds, so a lookup during it would wait for ever.
     */
    scanned?: () => Promise<void>;
  },
): Promise<OverdueHolding[]> {
  const cutoff = monthsBefore(options.on, options.months ?? 3);
  const overdue = new Map<string, string | undefined>();
  for await (const person of persons) {
    if (!person.populations.includes('pupil') && !person.populations.includes('staff')) continue;
    const since = inactiveSince(person, options.on);
    if (since === undefined) continue;
    if (since === null || since < cutoff) overdue.set(person.key, since ?? undefined);
  }
  await options.scanned?.();
  const keeping = new Set(
    options.recipients.filter((recipient) => recipient.resolvedProfile.leavers === 'close').map((r) => r.id),
  );
  const keys = [...overdue.keys()];
  const holdings: OverdueHolding[] = [];
  for (let start = 0; start < keys.length; start += 5_000) {
    const rows = await db
      .selectFrom('hub.delivered_object')
      .select(['recipient_id', 'object_key'])
      .where('object_type', '=', objectTypeCode.person)
      .where('object_key', 'in', keys.slice(start, start + 5_000))
      .orderBy('recipient_id')
      .orderBy('object_key')
      .execute();
    for (const row of rows) {
      if (keeping.has(row.recipient_id)) continue;
      holdings.push({
        recipientId: row.recipient_id,
        personKey: row.object_key,
        inactiveSince: overdue.get(row.object_key),
      });
    }
  }
  return holdings;
}
