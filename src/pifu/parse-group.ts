import {
  groupTypes,
  type Group,
  type GroupType,
  type OrganizationIdentifier,
  type SchoolType,
} from '../model/index.js';
import type { FeedEntry } from './feed-input.js';
import { groupTypeCode, orgIdCode } from './pifu-vocabulary.js';
import {
  extensionOf,
  ownId,
  parseTimeframe,
  recstatusOf,
  sourcedidId,
  unreadableRecord,
} from './parse-common-elements.js';
import { attribute, child, childText, children, textOf, type XmlNode } from './xml-node.js';

const knownGroupTypes: ReadonlySet<string> = new Set(groupTypes);
const knownOrgIdTypes: ReadonlySet<string> = new Set(Object.keys(orgIdCode));
const knownSchoolTypes: ReadonlySet<string> = new Set<SchoolType>([
  'barneskole',
  'ungdomsskole',
  'videregående',
  'barnehage',
  'sfo',
]);

function parseGroupType(group: XmlNode): GroupType | undefined {
  for (const grouptype of children(group, 'grouptype')) {
    const value = childText(grouptype, 'typevalue');
    if (value !== undefined && knownGroupTypes.has(value)) return value as GroupType;
  }
  return undefined;
}

/**
 * Whether the group's type (read from its `typevalue`) comes with another scheme or level code than spec
 * 2.3 pairs with that value (`basisgruppe` under `pifu-ims-go-org`, or at level 3): real exports do this.
 */
export function groupTypeCodeDiffers(group: XmlNode): boolean {
  for (const grouptype of children(group, 'grouptype')) {
    const typevalue = child(grouptype, 'typevalue');
    const value = textOf(typevalue);
    if (value === undefined || !knownGroupTypes.has(value)) continue;
    const code = groupTypeCode[value as GroupType];
    return (
      childText(grouptype, 'scheme')?.trim() !== code.scheme ||
      attribute(typevalue, 'level')?.trim() !== code.level
    );
  }
  return false;
}

/** Spec 2.3 row 3.11: the parent is the `relation="1"` relationship. */
function parseParentKey(group: XmlNode): string | undefined {
  const relationships = children(group, 'relationship');
  const parent = relationships.find((relationship) => attribute(relationship, 'relation') === '1');
  return sourcedidId(child(parent, 'sourcedid'));
}

function parseIdentifiers(extension: XmlNode | undefined): OrganizationIdentifier[] {
  return children(extension, 'pifu_id')
    .filter((pifuId) => knownOrgIdTypes.has(attribute(pifuId, 'type') ?? ''))
    .map((pifuId) => ({
      type: attribute(pifuId, 'type') as OrganizationIdentifier['type'],
      value: childText(pifuId, 'pifu_value') ?? '',
    }));
}

/**
 * Maps a `group` element (spec 2.3) back to the model. `schoolKey` is not in PIFU; it follows from the
 * model's rule that a school is its own school and every group below a school points to it.
 */
export function parseGroup(group: XmlNode, index: number): FeedEntry<Group> {
  const key = ownId(group);
  if (key === undefined) throw unreadableRecord(`group number ${index} has no sourcedid/id`);
  const what = `group ${JSON.stringify(key)}`;
  const type = parseGroupType(group);
  if (type === undefined) throw unreadableRecord(`${what} has no grouptype/typevalue PIFU 1.3 knows`);
  const parentKey = parseParentKey(group);
  if (parentKey === undefined) throw unreadableRecord(`${what} has no relationship with relation="1"`);
  const description = child(group, 'description');
  const shortName = childText(description, 'short');
  if (shortName === undefined) throw unreadableRecord(`${what} has no description/short`);
  const longName = childText(description, 'long');
  const timeframe = parseTimeframe(child(group, 'timeframe'));
  const extension = extensionOf(group);
  const schoolKey = type === 'skoleeier' ? undefined : type === 'skole' ? key : parentKey;
  const change = recstatusOf(group, what);
  const object: Group = {
    key,
    type,
    parentKey,
    ...(schoolKey === undefined ? {} : { schoolKey }),
    shortName,
    ...(longName === undefined ? {} : { longName }),
    ...(timeframe === undefined ? {} : { timeframe }),
    identifiers: parseIdentifiers(extension),
    schoolTypes: children(extension, 'pifu_schoolType')
      .map((schoolType) => textOf(schoolType) ?? '')
      .filter((schoolType): schoolType is SchoolType => knownSchoolTypes.has(schoolType)),
  };
  return change === undefined ? { object } : { object, change };
}
