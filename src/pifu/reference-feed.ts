import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { formatPersonName, type ChangeKind, type Membership, type Timeframe } from '../model/index.js';
import type { FeedEntry, FeedInput } from './feed-input.js';
import { pifuNamespace } from './pifu-namespace.js';
import {
  addressType,
  emailType,
  genderCode,
  groupTypeCode,
  orgIdCode,
  phoneType,
  recstatusCode,
  roleType,
  useridType,
} from './pifu-vocabulary.js';
import { labelMaxChars, longNameMaxChars, shortNameMaxChars } from './render-group.js';
import { propertiesLang } from './render-header.js';
import { givenNameWithMiddle } from './render-person.js';
import { selectTopEmail, selectTopPhone } from './top-contact.js';
import { replaceForbiddenXmlChars } from './xml-escape.js';
import { truncateToMaxLength } from './xsd-facets.js';

function text(parent: XMLBuilder, name: string, value: string): void {
  parent.ele(name).txt(replaceForbiddenXmlChars(value));
}

function recstatus(input: FeedInput, change: ChangeKind | undefined): Record<string, string> {
  return input.feedType === 'delta' && change !== undefined ? { recstatus: recstatusCode[change] } : {};
}

function sourcedid(parent: XMLBuilder, source: string, id: string): void {
  const element = parent.ele('sourcedid');
  text(element, 'source', source);
  text(element, 'id', id);
}

function timeframe(parent: XMLBuilder, value: Timeframe | undefined): void {
  if (value === undefined) return;
  const element = parent.ele('timeframe');
  if (value.begin !== undefined) text(element, 'begin', value.begin);
  if (value.end !== undefined) text(element, 'end', value.end);
  if (value.adminPeriod !== undefined) text(element, 'adminperiod', value.adminPeriod);
}

/**
 * The same feed as `renderFeed`, built as one xmlbuilder2 tree: an independent serialiser that the tests
 * compare the hand-written writer against, and the baseline of bench/pifu-writer-bench.ts. It holds the
 * whole document in memory and checks nothing, so it is never used to write a real feed.
 */
export async function buildReferenceFeed(input: FeedInput): Promise<string> {
  const source = input.properties.source;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(pifuNamespace, 'enterprise');
  const properties = root.ele('properties', { lang: propertiesLang });
  text(properties, 'datasource', source);
  if (input.target !== undefined) text(properties, 'target', input.target);
  text(properties, 'type', input.feedType);
  text(properties, 'datetime', input.properties.snapshotAt);

  for await (const { object: person, change } of input.persons) {
    const element = root.ele('person', recstatus(input, change));
    sourcedid(element, source, person.key);
    for (const identifier of person.identifiers) {
      element
        .ele('userid', { useridtype: useridType[identifier.type] })
        .txt(replaceForbiddenXmlChars(identifier.value));
    }
    const name = element.ele('name');
    text(name, 'fn', formatPersonName(person.name));
    const n = name.ele('n');
    text(n, 'family', person.name.family);
    text(n, 'given', givenNameWithMiddle(person.name.given, person.name.middle));
    if (person.gender !== undefined || person.birthDate !== undefined) {
      const demographics = element.ele('demographics');
      if (person.gender !== undefined) text(demographics, 'gender', genderCode[person.gender]);
      if (person.birthDate !== undefined) text(demographics, 'bday', person.birthDate);
    }
    const topEmail = selectTopEmail(person.emails);
    if (topEmail !== undefined) text(element, 'email', topEmail.address);
    const voice = selectTopPhone(person.phones, 'voice');
    if (voice !== undefined) element.ele('tel', { teltype: '1' }).txt(voice.number);
    const mobile = selectTopPhone(person.phones, 'mobile');
    if (mobile !== undefined) element.ele('tel', { teltype: '3' }).txt(mobile.number);
    const hasExtension =
      person.emails.length + person.phones.length + person.addresses.length + person.guardianKeys.length >
        0 ||
      person.status !== undefined ||
      person.preferredLanguage !== undefined;
    if (!hasExtension) continue;
    const extension = element.ele('extension');
    for (const email of person.emails) {
      extension
        .ele('pifu_email', { type: emailType[email.kind], priority: String(email.priority) })
        .txt(replaceForbiddenXmlChars(email.address));
    }
    for (const phone of person.phones) {
      extension
        .ele('pifu_tel', { type: phoneType[phone.kind], priority: String(phone.priority) })
        .txt(phone.number);
    }
    for (const address of person.addresses) {
      const adr = extension.ele('pifu_adr', { type: addressType[address.kind] }).ele('adr');
      for (const street of address.street) text(adr, 'street', street);
      if (address.locality !== undefined) text(adr, 'locality', address.locality);
      if (address.postalCode !== undefined) text(adr, 'pcode', address.postalCode);
      if (address.country !== undefined) text(adr, 'country', address.country);
    }
    if (person.status !== undefined) {
      extension
        .ele('pifu_status', { type: 'activeInactive' })
        .txt(person.status === 'active' ? 'aktiv' : 'inaktiv');
    }
    if (person.preferredLanguage !== undefined) {
      extension.ele('pifu_preferredLanguage', { source: 'ISO 639-1' }).txt(person.preferredLanguage);
    }
    for (const guardianKey of person.guardianKeys) {
      sourcedid(extension.ele('pifu_hasContactPerson', { type: 'guardian' }), source, guardianKey);
    }
  }

  for await (const { object: group, change } of input.groups) {
    const element = root.ele('group', recstatus(input, change));
    sourcedid(element, source, group.key);
    const grouptype = element.ele('grouptype');
    text(grouptype, 'scheme', groupTypeCode[group.type].scheme);
    grouptype.ele('typevalue', { level: groupTypeCode[group.type].level }).txt(group.type);
    const description = element.ele('description');
    text(description, 'short', truncateToMaxLength(group.shortName, shortNameMaxChars));
    if (group.longName !== undefined)
      text(description, 'long', truncateToMaxLength(group.longName, longNameMaxChars));
    timeframe(element, group.timeframe);
    const relationship = element.ele('relationship', { relation: '1' });
    sourcedid(relationship, source, group.parentKey);
    text(
      relationship,
      'label',
      truncateToMaxLength(input.orgUnits.get(group.parentKey) ?? '', labelMaxChars),
    );
    const identifiers = group.identifiers.flatMap((identifier) =>
      identifier.type === 'nsrId' ? [] : [{ type: identifier.type, value: identifier.value }],
    );
    if (identifiers.length > 0 || group.schoolTypes.length > 0) {
      const extension = element.ele('extension');
      for (const identifier of identifiers) {
        const pifuId = extension.ele('pifu_id', { type: identifier.type });
        text(pifuId, 'pifu_value', identifier.value);
        text(pifuId, 'pifu_scope', orgIdCode[identifier.type].scope);
        text(pifuId, 'pifu_unique', orgIdCode[identifier.type].isUnique ? '1' : '0');
      }
      for (const schoolType of group.schoolTypes) text(extension, 'pifu_schoolType', schoolType);
    }
  }

  const byGroup = new Map<string, Map<string, FeedEntry<Membership>[]>>();
  for await (const entry of input.memberships) {
    const members = byGroup.get(entry.object.groupKey) ?? new Map<string, FeedEntry<Membership>[]>();
    byGroup.set(entry.object.groupKey, members);
    const roles = members.get(entry.object.personKey) ?? [];
    members.set(entry.object.personKey, roles);
    roles.push(entry);
  }
  for (const [groupKey, members] of byGroup) {
    const membership = root.ele('membership');
    sourcedid(membership, source, groupKey);
    for (const [personKey, roles] of members) {
      const member = membership.ele('member');
      sourcedid(member, source, personKey);
      text(member, 'idtype', '1');
      for (const { object, change } of roles) {
        const role = member.ele('role', { roletype: roleType[object.role], ...recstatus(input, change) });
        if (object.subrole !== undefined) text(role, 'subrole', object.subrole);
        text(role, 'status', object.isActive ? '1' : '0');
        timeframe(role, object.timeframe);
        if (object.isPrimary) text(role.ele('extension'), 'pifu_primaryRelation', '1');
      }
    }
  }
  return root.end({ prettyPrint: false });
}
