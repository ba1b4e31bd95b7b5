import { compareKeys, membershipKey, type Membership } from '../model/index.js';
import type { FeedEntry } from './feed-input.js';
import { FieldViolation, toModelInvalid } from './field-violation.js';
import { allowedSubroles, roleType } from './pifu-vocabulary.js';
import { recstatusAttribute, renderSourcedid, renderTimeframe } from './render-common-elements.js';
import type { RenderContext } from './render-context.js';

/** One `role` (spec 2.4 rows 4.3.4.x): roletype always written, children in XSD order. */
function renderRole(entry: FeedEntry<Membership>, context: RenderContext): string {
  const membership = entry.object;
  let xml = `<role roletype="${roleType[membership.role]}"${recstatusAttribute(context, entry.change)}>`;
  if (membership.subrole !== undefined) {
    if (!allowedSubroles[membership.role].has(membership.subrole)) {
      throw new FieldViolation('subrole', `is not one spec 2.4 allows for the role ${membership.role}`);
    }
    xml += `<subrole>${membership.subrole}</subrole>`;
  }
  xml += `<status>${membership.isActive ? '1' : '0'}</status>`;
  if (membership.timeframe !== undefined) xml += renderTimeframe(membership.timeframe, 'timeframe');
  if (membership.isPrimary) xml += '<extension><pifu_primaryRelation>1</pifu_primaryRelation></extension>';
  return `${xml}</role>`;
}

/** Spec 2.4: idtype is always 1 (person); groups are never members in this profile. */
function renderMemberStart(membership: Membership, context: RenderContext): string {
  return `<member>${renderSourcedid(context, membership.personKey, 'personKey')}<idtype>1</idtype>`;
}

function isOutOfOrder(previous: Membership, next: Membership): boolean {
  const byGroup = compareKeys(previous.groupKey, next.groupKey);
  return byGroup > 0 || (byGroup === 0 && compareKeys(previous.personKey, next.personKey) > 0);
}

/**
 * The `membership` elements (spec 2.4). Consecutive records of one group form one membership, and
 * consecutive records of one person in it one `member` with a `role` each, so the input must come in
 * (groupKey, personKey) order: out-of-order input would split a group into two memberships, and is refused.
 * Yields one fragment per record.
 */
export async function* renderMemberships(
  entries: AsyncIterable<FeedEntry<Membership>>,
  context: RenderContext,
): AsyncGenerator<string> {
  let previous: Membership | undefined;
  for await (const entry of entries) {
    const membership = entry.object;
    let xml = '';
    try {
      if (previous !== undefined && isOutOfOrder(previous, membership)) {
        throw new FieldViolation(
          'order',
          'comes after a later (groupKey, personKey); sort memberships first',
        );
      }
      if (previous === undefined || previous.groupKey !== membership.groupKey) {
        if (previous !== undefined) xml += '</member></membership>\n';
        xml += `<membership>${renderSourcedid(context, membership.groupKey, 'groupKey')}${renderMemberStart(membership, context)}`;
      } else if (previous.personKey !== membership.personKey) {
        xml += `</member>${renderMemberStart(membership, context)}`;
      }
      xml += renderRole(entry, context);
    } catch (error) {
      throw toModelInvalid('membership', membershipKey(membership), error);
    }
    previous = membership;
    yield xml;
  }
  if (previous !== undefined) yield '</member></membership>\n';
}
