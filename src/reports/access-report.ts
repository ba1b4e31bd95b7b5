import type { RecipientConfig } from '../config/index.js';
import { listPersonDisclosures, type DisclosureAnswer } from '../disclosure/index.js';
import type { Person } from '../model/index.js';
import type { SourceConnector } from '../ports/index.js';
import { listRestrictions, allRecipients, type RestrictionRecord } from '../privacy/index.js';
import { fieldCategory, type FieldKey } from '../profiles/index.js';
import { yearsBefore } from '../retention/retention-plan.js';
import { defaultRetentionPolicy, type RetentionPolicy } from '../retention/retention-policy.js';
import type { HubContext } from '../run/hub-context.js';
import { objectTypeCode } from '../state/index.js';
import { personCategories, personValues, type PersonValues } from './person-values.js';

/** One stretch of transfers to one recipient under the same purpose, basis and categories. */
export interface DisclosurePeriod {
  readonly from: Date;
  readonly to: Date;
  readonly transfers: number;
  readonly purpose: string | null;
  readonly legalBasis: string | null;
  readonly categories: readonly string[];
  readonly relaysTo: readonly string[];
  readonly overrideReason: string | null;
}

export interface RecipientAccess {
  readonly recipientId: string;
  /** The configured name, or the id of a recipient no longer configured. */
  readonly name: string;
  readonly configured: boolean;
  /** Where the recipient processes the data (current config); null when no longer configured. */
  readonly country: string | null;
  readonly holdsNow: boolean;
  readonly restricted: boolean;
  readonly periods: readonly DisclosurePeriod[];
  /** Every transfer that disclosed the person, oldest first. */
  readonly transfers: readonly {
    readonly transferId: string;
    readonly at: Date;
    readonly trigger: string;
    readonly categories: readonly string[];
  }[];
}

/**
 * The answer to a person's access request (GDPR Art. 15): what the school system holds about them
 * (categories; values only when asked), what the hub itself keeps, and every disclosure grouped by
 * recipient with purpose, legal basis, categories, dates and relays. Plain data: faces render it.
 */
export interface AccessReport {
  readonly personKey: string;
  readonly generatedAt: Date;
  readonly source: {
    readonly present: boolean;
    readonly populations: readonly string[];
    /** Category keys with a value in the source (`name`, `email.org`, `id:feideID`, `memberships` …). */
    readonly categories: readonly string[];
    readonly memberships: number;
    /** Only when asked for. */
    readonly values?: PersonValues;
  };
  readonly hub: {
    readonly heldBy: readonly string[];
    readonly feedFiles: number;
    readonly auditEntries: number;
    readonly forgotten: { readonly at: Date; readonly reason: string } | null;
    readonly restrictions: readonly RestrictionRecord[];
  };
  readonly recipients: readonly RecipientAccess[];
  readonly retention: RetentionPolicy & { readonly countsOnlyBefore: Date };
}

export async function buildAccessReport(
  ctx: Pick<HubContext, 'db' | 'source' | 'recipients' | 'now' | 'retention'>,
  personKey: string,
  options: { includeValues: boolean },
): Promise<AccessReport> {
  const { db } = ctx;
  const generatedAt = ctx.now();
  const found = await findInSource(ctx.source, personKey);
  const disclosures = await listPersonDisclosures(db, personKey);
  const heldRows = await db
    .selectFrom('hub.delivered_object')
    .select('recipient_id')
    .distinct()
    .where('object_type', '=', objectTypeCode.person)
    .where('object_key', '=', personKey)
    .orderBy('recipient_id')
    .execute();
  const heldBy = heldRows.map((row) => row.recipient_id);
  const transferIds = disclosures.map((answer) => answer.transferId);
  const files =
    transferIds.length === 0
      ? { n: '0' }
      : await db
          .selectFrom('hub.transfer as t')
          .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('t.id', 'in', transferIds)
          .where('f.file_path', 'is not', null)
          .where('f.file_removed_at', 'is', null)
          .executeTakeFirstOrThrow();
  const audit = await db
    .selectFrom('hub.audit')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('subject', '=', personKey)
    .executeTakeFirstOrThrow();
  const forgottenRow = await db
    .selectFrom('hub.forgotten_person')
    .select(['forgotten_at', 'reason'])
    .where('person_key', '=', personKey)
    .executeTakeFirst();
  const restrictions = await listRestrictions(db, personKey);
  const active = restrictions.filter((restriction) => restriction.liftedAt === null);
  const restrictedFor = (id: string): boolean =>
    active.some((restriction) => restriction.recipientId === id || restriction.recipientId === allRecipients);

  const byRecipient = new Map<string, DisclosureAnswer[]>();
  for (const answer of [...disclosures].reverse()) {
    byRecipient.set(answer.recipientId, [...(byRecipient.get(answer.recipientId) ?? []), answer]);
  }
  const recipients = [...byRecipient.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([recipientId, answers]) =>
      recipientAccess(ctx.recipients.get(recipientId), recipientId, answers, {
        holdsNow: heldBy.includes(recipientId),
        restricted: restrictedFor(recipientId),
      }),
    );
  const policy = ctx.retention ?? defaultRetentionPolicy;
  const person = found.person;
  return {
    personKey,
    generatedAt,
    source: {
      present: person !== undefined,
      populations: person === undefined ? [] : [...person.populations],
      categories: person === undefined ? [] : personCategories(person, found.memberships),
      memberships: found.memberships,
      ...(options.includeValues && person !== undefined ? { values: personValues(person) } : {}),
    },
    hub: {
      heldBy,
      feedFiles: Number(files.n),
      auditEntries: Number(audit.n),
      forgotten:
        forgottenRow === undefined
          ? null
          : { at: new Date(forgottenRow.forgotten_at), reason: forgottenRow.reason },
      restrictions,
    },
    recipients,
    retention: { ...policy, countsOnlyBefore: yearsBefore(generatedAt, policy.disclosureYears) },
  };
}

function recipientAccess(
  config: RecipientConfig | undefined,
  recipientId: string,
  answers: readonly DisclosureAnswer[],
  flags: { holdsNow: boolean; restricted: boolean },
): RecipientAccess {
  const periods: DisclosurePeriod[] = [];
  for (const answer of answers) {
    const categories = sortCategories(answer.categories);
    const period: Omit<DisclosurePeriod, 'from' | 'to' | 'transfers'> = {
      purpose: answer.purpose,
      legalBasis: answer.legalBasis,
      categories,
      relaysTo: answer.relaysTo,
      overrideReason: answer.overrideReason,
    };
    const last = periods.at(-1);
    if (last !== undefined && JSON.stringify(periodKey(last)) === JSON.stringify(periodKey(period))) {
      periods[periods.length - 1] = { ...last, to: answer.disclosedAt, transfers: last.transfers + 1 };
    } else {
      periods.push({ ...period, from: answer.disclosedAt, to: answer.disclosedAt, transfers: 1 });
    }
  }
  return {
    recipientId,
    name: config?.name ?? recipientId,
    configured: config !== undefined,
    country: config?.processing.country ?? null,
    ...flags,
    periods,
    transfers: answers.map((answer) => ({
      transferId: answer.transferId,
      at: answer.disclosedAt,
      trigger: answer.trigger,
      categories: sortCategories(answer.categories),
    })),
  };
}

function periodKey(period: Omit<DisclosurePeriod, 'from' | 'to' | 'transfers'>): unknown[] {
  return [period.purpose, period.legalBasis, period.categories, period.relaysTo, period.overrideReason];
}

const categoryOrder = ['identity', 'contact', 'address', 'relations'];

/** Identity, contact, address and relations fields first, then identifiers, then memberships. */
function sortCategories(categories: readonly string[]): string[] {
  const rank = (category: string): number => {
    if (category === 'memberships') return 100;
    if (category.startsWith('id:')) return 50;
    if (category === 'pseudonym') return 0;
    return categoryOrder.indexOf(fieldCategory[category as FieldKey] ?? 'relations');
  };
  return [...new Set(categories)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** One pass over the source's persons (stopping after the key: they come in key order), and its memberships. */
async function findInSource(
  source: SourceConnector,
  personKey: string,
): Promise<{ person: Person | undefined; memberships: number }> {
  const snapshot = await source.openSnapshot();
  try {
    let person: Person | undefined;
    for await (const candidate of snapshot.persons()) {
      if (candidate.key === personKey) person = candidate;
      if (candidate.key >= personKey) break;
    }
    let memberships = 0;
    if (person !== undefined) {
      for await (const membership of snapshot.memberships())
        if (membership.personKey === personKey) memberships++;
    }
    return { person, memberships };
  } finally {
    await snapshot.close();
  }
}
