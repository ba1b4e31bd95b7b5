import { formatPersonName, type PostalAddress } from '../model/index.js';
import type { FeedPerson } from './feed-person.js';
import type { FeedEntry } from './feed-input.js';
import { FieldViolation, toModelInvalid } from './field-violation.js';
import { addressType, emailType, genderCode, phoneType, useridType } from './pifu-vocabulary.js';
import { checkedText, recstatusAttribute, renderSourcedid } from './render-common-elements.js';
import type { RenderContext } from './render-context.js';
import { selectTopEmail, selectTopPhone } from './top-contact.js';
import { escapeXml } from './xml-escape.js';
import { isIso6391, isPifuEmail, isPifuTel, isPlainDate } from './xsd-facets.js';

function checkedEmail(address: string, field: string): string {
  if (!isPifuEmail(address)) throw new FieldViolation(field, 'is not an e-mail address the XSD accepts');
  return escapeXml(address);
}

function checkedTel(number: string, field: string): string {
  if (!isPifuTel(number)) throw new FieldViolation(field, 'is not "+" followed by digits (XSD t_tel)');
  return number;
}

function checkedPriority(priority: number, field: string): number {
  if (!Number.isInteger(priority) || priority < 0 || priority > 99) {
    throw new FieldViolation(field, 'is not an integer 0..99 (XSD t_integer2)');
  }
  return priority;
}

/**
 * The XSD leaves `partname` out of `n` (PIFU uses only family and given), so a middle name travels in
 * `given` after the given name, and in `fn`.
 */
export function givenNameWithMiddle(given: string, middle: string | undefined): string {
  return middle === undefined || middle === '' ? given : `${given} ${middle}`;
}

/** XSD `adr` child order: pobox, extadd, street{0,3}, locality, region, pcode, country (spec 2.10). */
function renderAdr(address: PostalAddress, field: string): string {
  if (address.street.length > 3) throw new FieldViolation(`${field}.street`, 'has more than 3 lines');
  let xml = '<adr>';
  for (const line of address.street) xml += `<street>${checkedText(line, 128, `${field}.street`)}</street>`;
  if (address.locality !== undefined)
    xml += `<locality>${checkedText(address.locality, 64, `${field}.locality`)}</locality>`;
  if (address.postalCode !== undefined)
    xml += `<pcode>${checkedText(address.postalCode, 32, `${field}.postalCode`)}</pcode>`;
  if (address.country !== undefined)
    xml += `<country>${checkedText(address.country, 64, `${field}.country`)}</country>`;
  return `${xml}</adr>`;
}

function renderDemographics(person: FeedPerson): string {
  if (person.gender === undefined && person.birthDate === undefined) return '';
  let xml = '<demographics>';
  if (person.gender !== undefined) xml += `<gender>${genderCode[person.gender]}</gender>`;
  if (person.birthDate !== undefined) {
    if (!isPlainDate(person.birthDate)) throw new FieldViolation('birthDate', 'is not a YYYY-MM-DD date');
    xml += `<bday>${person.birthDate}</bday>`;
  }
  return `${xml}</demographics>`;
}

/** Spec 2.2.1: extension children in XSD order email, tel, adr, status, preferredLanguage, contact persons. */
function renderPersonExtension(person: FeedPerson, context: RenderContext): string {
  let xml = '';
  for (const email of person.emails) {
    xml += `<pifu_email type="${emailType[email.kind]}" priority="${checkedPriority(email.priority, 'emails.priority')}">${checkedEmail(email.address, 'emails.address')}</pifu_email>`;
  }
  for (const phone of person.phones) {
    xml += `<pifu_tel type="${phoneType[phone.kind]}" priority="${checkedPriority(phone.priority, 'phones.priority')}">${checkedTel(phone.number, 'phones.number')}</pifu_tel>`;
  }
  for (const address of person.addresses) {
    xml += `<pifu_adr type="${addressType[address.kind]}">${renderAdr(address, 'addresses')}</pifu_adr>`;
  }
  if (person.status !== undefined) {
    xml += `<pifu_status type="activeInactive">${person.status === 'active' ? 'aktiv' : 'inaktiv'}</pifu_status>`;
  }
  if (person.preferredLanguage !== undefined) {
    if (!isIso6391(person.preferredLanguage)) {
      throw new FieldViolation('preferredLanguage', 'is not a two-letter ISO 639-1 code');
    }
    xml += `<pifu_preferredLanguage source="ISO 639-1">${person.preferredLanguage}</pifu_preferredLanguage>`;
  }
  for (const guardianKey of person.guardianKeys) {
    xml += `<pifu_hasContactPerson type="guardian">${renderSourcedid(context, guardianKey, 'guardianKeys')}</pifu_hasContactPerson>`;
  }
  return xml === '' ? '' : `<extension>${xml}</extension>`;
}

/** One `person` element (spec 2.2), children in XSD order. */
export function renderPerson(entry: FeedEntry<FeedPerson>, context: RenderContext): string {
  const person = entry.object;
  try {
    let xml = `<person${recstatusAttribute(context, entry.change)}>${renderSourcedid(context, person.key, 'key')}`;
    for (const identifier of person.identifiers) {
      xml += `<userid useridtype="${useridType[identifier.type]}">${checkedText(identifier.value, 256, `identifiers.${identifier.type}`)}</userid>`;
    }
    const { given, middle, family } = person.name;
    xml += `<name><fn>${checkedText(formatPersonName(person.name), 256, 'name')}</fn><n><family>${checkedText(family, 256, 'name.family')}</family><given>${checkedText(givenNameWithMiddle(given, middle), 256, 'name.given')}</given></n></name>`;
    xml += renderDemographics(person);
    const topEmail = selectTopEmail(person.emails);
    if (topEmail !== undefined) xml += `<email>${checkedEmail(topEmail.address, 'emails.address')}</email>`;
    const voice = selectTopPhone(person.phones, 'voice');
    if (voice !== undefined) xml += `<tel teltype="1">${checkedTel(voice.number, 'phones.number')}</tel>`;
    const mobile = selectTopPhone(person.phones, 'mobile');
    if (mobile !== undefined) xml += `<tel teltype="3">${checkedTel(mobile.number, 'phones.number')}</tel>`;
    return `${xml}${renderPersonExtension(person, context)}</person>\n`;
  } catch (error) {
    throw toModelInvalid('person', person.key, error);
  }
}
