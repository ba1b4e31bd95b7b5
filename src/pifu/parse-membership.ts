import type { Membership } from '../model/index.js';
import type { FeedEntry } from './feed-input.js';
import { isRoletypeCode, roleOfRoletype } from './pifu-vocabulary.js';
import {
  extensionOf,
  parseTimeframe,
  recstatusOf,
  sourcedidId,
  unreadableRecord,
} from './parse-common-elements.js';
import { attribute, child, childText, children, type XmlNode } from './xml-node.js';

/**
 * Flattens a `membership` element (spec 2.4) into one model record per role. Members whose idtype is not
 * 1 (person) are skipped: this profile has no group members. Results, absences and comments are ignored.
 */
export function parseMembership(membership: XmlNode, index: number): FeedEntry<Membership>[] {
  const groupKey = sourcedidId(child(membership, 'sourcedid'));
  if (groupKey === undefined) throw unreadableRecord(`membership number ${index} has no sourcedid/id`);
  const entries: FeedEntry<Membership>[] = [];
  for (const member of children(membership, 'member')) {
    if (childText(member, 'idtype') !== '1') continue;
    const personKey = sourcedidId(child(member, 'sourcedid'));
    const what = `membership in group ${JSON.stringify(groupKey)}`;
    if (personKey === undefined) throw unreadableRecord(`a member of the ${what} has no sourcedid/id`);
    for (const role of children(member, 'role')) {
      const roleWhat = `${what} of person ${JSON.stringify(personKey)}`;
      const code = attribute(role, 'roletype');
      if (!isRoletypeCode(code)) throw unreadableRecord(`a role in the ${roleWhat} has no roletype 01..08`);
      const modelRole = roleOfRoletype[code];
      const subrole = childText(role, 'subrole');
      const timeframe = parseTimeframe(child(role, 'timeframe'));
      const object: Membership = {
        groupKey,
        personKey,
        role: modelRole,
        ...(subrole === undefined ? {} : { subrole }),
        isActive: childText(role, 'status') !== '0',
        isPrimary: childText(extensionOf(role), 'pifu_primaryRelation') === '1',
        ...(timeframe === undefined ? {} : { timeframe }),
      };
      const change = recstatusOf(role, roleWhat);
      entries.push(change === undefined ? { object } : { object, change });
    }
  }
  return entries;
}
