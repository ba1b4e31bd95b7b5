import type { EmailAddress, PhoneNumber, PostalAddress, PersonIdentifier } from '../model/index.js';
import type { FeedPerson } from './feed-person.js';
import type { FeedEntry } from './feed-input.js';
import { addressType, emailType, genderCode, invert, phoneType, useridType } from './pifu-vocabulary.js';
import { extensionOf, ownId, recstatusOf, sourcedidId, unreadableRecord } from './parse-common-elements.js';
import { attribute, child, childText, children, textOf, type XmlNode } from './xml-node.js';

const identifierTypeByCode = invert(useridType);
const genderByCode = invert(genderCode);
const emailKindByType = invert(emailType);
const phoneKindByType = invert(phoneType);
const addressKindByType = invert(addressType);

/** `@priority` is optional in the XSD; 0 is the spec's "unknown". */
function priorityOf(node: XmlNode): number {
  const priority = attribute(node, 'priority');
  return priority === undefined ? 0 : Number(priority);
}

function parseIdentifiers(person: XmlNode): PersonIdentifier[] {
  const identifiers: PersonIdentifier[] = [];
  for (const userid of children(person, 'userid')) {
    const type = identifierTypeByCode.get(attribute(userid, 'useridtype') ?? '');
    if (type !== undefined) identifiers.push({ type, value: textOf(userid) ?? '' });
  }
  return identifiers;
}

function parseEmails(extension: XmlNode | undefined): EmailAddress[] {
  const emails: EmailAddress[] = [];
  for (const email of children(extension, 'pifu_email')) {
    const kind = emailKindByType.get(attribute(email, 'type') ?? '');
    if (kind !== undefined) emails.push({ kind, address: textOf(email) ?? '', priority: priorityOf(email) });
  }
  return emails;
}

function parsePhones(extension: XmlNode | undefined): PhoneNumber[] {
  const phones: PhoneNumber[] = [];
  for (const tel of children(extension, 'pifu_tel')) {
    const kind = phoneKindByType.get(attribute(tel, 'type') ?? '');
    if (kind !== undefined) phones.push({ kind, number: textOf(tel) ?? '', priority: priorityOf(tel) });
  }
  return phones;
}

function parseAddresses(extension: XmlNode | undefined): PostalAddress[] {
  const addresses: PostalAddress[] = [];
  for (const pifuAdr of children(extension, 'pifu_adr')) {
    const kind = addressKindByType.get(attribute(pifuAdr, 'type') ?? '');
    const adr = child(pifuAdr, 'adr');
    if (kind === undefined || adr === undefined) continue;
    const locality = childText(adr, 'locality');
    const postalCode = childText(adr, 'pcode');
    const country = childText(adr, 'country');
    addresses.push({
      kind,
      street: children(adr, 'street').map((street) => textOf(street) ?? ''),
      ...(postalCode === undefined ? {} : { postalCode }),
      ...(locality === undefined ? {} : { locality }),
      ...(country === undefined ? {} : { country }),
    });
  }
  return addresses;
}

/**
 * Maps a `person` element (spec 2.2) back to the model. Top-level `email` and `tel` are copies of the
 * highest-priority extension values (spec 2.7, 2.9), so contact details come from the extension; photo,
 * url, native tongue and next-of-kin links have no place in the model and are skipped.
 */
export function parsePerson(person: XmlNode, index: number): FeedEntry<FeedPerson> {
  const key = ownId(person);
  if (key === undefined) throw unreadableRecord(`person number ${index} has no sourcedid/id`);
  const name = child(person, 'name');
  const n = child(name, 'n');
  const family = childText(n, 'family');
  const given = childText(n, 'given');
  if (family === undefined || given === undefined) {
    throw unreadableRecord(`person ${JSON.stringify(key)} has no name/n/family or name/n/given`);
  }
  const demographics = child(person, 'demographics');
  const gender = genderByCode.get(childText(demographics, 'gender') ?? '');
  const birthDate = childText(demographics, 'bday');
  const extension = extensionOf(person);
  const activity = children(extension, 'pifu_status').find(
    (status) => attribute(status, 'type') === 'activeInactive',
  );
  const preferredLanguage = childText(extension, 'pifu_preferredLanguage');
  const guardianKeys = children(extension, 'pifu_hasContactPerson')
    .filter((contact) => attribute(contact, 'type') === 'guardian')
    .map((contact) => sourcedidId(child(contact, 'sourcedid')))
    .filter((guardianKey): guardianKey is string => guardianKey !== undefined);
  const change = recstatusOf(person, `person ${JSON.stringify(key)}`);
  const object: FeedPerson = {
    key,
    name: { given, family },
    ...(birthDate === undefined ? {} : { birthDate }),
    ...(gender === undefined ? {} : { gender }),
    // Spec 2.2.1: pifu_status is optional, and a profile may leave it out.
    ...(activity === undefined ? {} : { status: textOf(activity) === 'inaktiv' ? 'inactive' : 'active' }),
    identifiers: parseIdentifiers(person),
    emails: parseEmails(extension),
    phones: parsePhones(extension),
    addresses: parseAddresses(extension),
    ...(preferredLanguage === undefined ? {} : { preferredLanguage }),
    guardianKeys,
  };
  return change === undefined ? { object } : { object, change };
}
