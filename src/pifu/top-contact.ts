import type { EmailAddress, PhoneNumber } from '../model/index.js';

/** Priority 1 is highest and 0 means unknown (spec 2.2.1), so 0 sorts after every known priority. */
function priorityRank(priority: number): number {
  return priority === 0 ? Number.POSITIVE_INFINITY : priority;
}

function pickFirst<T>(
  items: readonly T[],
  isOrg: (item: T) => boolean,
  priority: (item: T) => number,
): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (best === undefined) {
      best = item;
      continue;
    }
    const byKind = Number(isOrg(best)) - Number(isOrg(item));
    if (byKind < 0 || (byKind === 0 && priorityRank(priority(item)) < priorityRank(priority(best))))
      best = item;
  }
  return best;
}

/**
 * The address for the top-level `email` (spec 2.7: the highest-priority one). Addresses at the
 * organisation win over private ones, because recipients are school systems; then priority decides.
 */
export function selectTopEmail(emails: readonly EmailAddress[]): EmailAddress | undefined {
  return pickFirst(
    emails,
    (email) => email.kind === 'org',
    (email) => email.priority,
  );
}

/** The top-level `tel` of one teltype (spec 2.9): voice is a fixed line, mobile a mobile; org first. */
export function selectTopPhone(
  phones: readonly PhoneNumber[],
  teltype: 'voice' | 'mobile',
): PhoneNumber | undefined {
  const ofType = phones.filter((phone) =>
    teltype === 'mobile'
      ? phone.kind === 'mobilePrivate' || phone.kind === 'mobileOrg'
      : phone.kind === 'private' || phone.kind === 'org',
  );
  return pickFirst(
    ofType,
    (phone) => phone.kind === 'org' || phone.kind === 'mobileOrg',
    (phone) => phone.priority,
  );
}
