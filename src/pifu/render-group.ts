import type { Group } from '../model/index.js';
import type { FeedEntry } from './feed-input.js';
import { FieldViolation, toModelInvalid } from './field-violation.js';
import { groupTypeCode, orgIdCode } from './pifu-vocabulary.js';
import {
  checkedText,
  recstatusAttribute,
  renderSourcedid,
  renderTimeframe,
} from './render-common-elements.js';
import type { RenderContext } from './render-context.js';
import { escapeXml } from './xml-escape.js';
import { truncateToMaxLength } from './xsd-facets.js';

/**
 * Descriptions and labels are display text, so a name over the XSD limit (short 60, long 256, label 128)
 * is cut at a grapheme boundary rather than failing a whole municipality's feed over one group's name.
 * Identifiers, person names and contact details are refused instead: recipients match on them.
 */
export const shortNameMaxChars = 60;
export const longNameMaxChars = 256;
export const labelMaxChars = 128;

function fittedText(value: string, maxChars: number): string {
  return escapeXml(truncateToMaxLength(value, maxChars));
}

/** Spec 2.3.1/2.3.3: org identifiers as pifu_id, then school types, in XSD extension order. */
function renderGroupExtension(group: Group): string {
  let xml = '';
  for (const identifier of group.identifiers) {
    if (identifier.type === 'nsrId') continue;
    const { scope, isUnique } = orgIdCode[identifier.type];
    xml += `<pifu_id type="${identifier.type}"><pifu_value>${checkedText(identifier.value, 256, `identifiers.${identifier.type}`)}</pifu_value><pifu_scope>${escapeXml(scope)}</pifu_scope><pifu_unique>${isUnique ? '1' : '0'}</pifu_unique></pifu_id>`;
  }
  for (const schoolType of group.schoolTypes) xml += `<pifu_schoolType>${schoolType}</pifu_schoolType>`;
  return xml === '' ? '' : `<extension>${xml}</extension>`;
}

/**
 * One `group` element (spec 2.3), children in XSD order. The single `relationship relation="1"` points at
 * `parentKey`, labelled with that org unit's short name from `FeedInput.orgUnits` (spec 3.11).
 */
export function renderGroup(entry: FeedEntry<Group>, context: RenderContext): string {
  const group = entry.object;
  try {
    const { scheme, level } = groupTypeCode[group.type];
    let xml = `<group${recstatusAttribute(context, entry.change)}>${renderSourcedid(context, group.key, 'key')}`;
    xml += `<grouptype><scheme>${scheme}</scheme><typevalue level="${level}">${group.type}</typevalue></grouptype>`;
    xml += `<description><short>${fittedText(group.shortName, shortNameMaxChars)}</short>`;
    if (group.longName !== undefined) xml += `<long>${fittedText(group.longName, longNameMaxChars)}</long>`;
    xml += '</description>';
    if (group.timeframe !== undefined) xml += renderTimeframe(group.timeframe, 'timeframe');
    const label = context.orgUnits.get(group.parentKey);
    if (label === undefined)
      throw new FieldViolation('parentKey', 'is not in FeedInput.orgUnits, so it has no label');
    xml += `<relationship relation="1">${renderSourcedid(context, group.parentKey, 'parentKey')}<label>${fittedText(label, labelMaxChars)}</label></relationship>`;
    return `${xml}${renderGroupExtension(group)}</group>\n`;
  } catch (error) {
    throw toModelInvalid('group', group.key, error);
  }
}
