/**
 * Hand-written PIFU-IMS records for the import tests that name problems by line: each builder gives one
 * record (or part of one) as one line of text, and `exportText` puts them after a fixed three-line head,
 * so the first record is on line 4. Every reference is a whole `<sourcedid>`, so a test can make one
 * name another source.
 */
import type { GroupType } from '../../../../src/model/index.js';
import { groupTypeCode } from '../../../../src/pifu/pifu-vocabulary.js';

const namespace12 = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-1.2';

export const sourcedid = (id: string, source: string): string =>
  `<sourcedid><source>${source}</source><id>${id}</id></sourcedid>`;

/** A person named `given` Hansen, with guardian links (`pifu_hasContactPerson`) to `guardians`. */
export const personRecord = (id: string, given: string, guardians: readonly string[] = []): string =>
  `<person>${id}<name><fn>${given} Hansen</fn><n><family>Hansen</family><given>${given}</given></n></name>` +
  (guardians.length === 0
    ? ''
    : `<extension>${guardians.map((guardian) => `<pifu_hasContactPerson type="guardian">${guardian}</pifu_hasContactPerson>`).join('')}</extension>`) +
  '</person>';

/** A group of `type` with the scheme and level the spec pairs with it, below `parent`. */
export const groupRecord = (id: string, type: GroupType, parent: string): string =>
  `<group>${id}<grouptype><scheme>${groupTypeCode[type].scheme}</scheme><typevalue level="${groupTypeCode[type].level}">${type}</typevalue></grouptype>` +
  `<description><short>g</short></description><relationship relation="1">${parent}<label>p</label></relationship></group>`;

/** A person member with `roletype`, active, from `begin` when given. */
export const memberRecord = (id: string, roletype = '01', begin?: string): string =>
  `<member>${id}<idtype>1</idtype><role roletype="${roletype}"><status>1</status>` +
  `${begin === undefined ? '' : `<timeframe><begin restrict="1">${begin}</begin></timeframe>`}</role></member>`;

export const membershipRecord = (group: string, ...members: readonly string[]): string =>
  `<membership>${group}${members.join('')}</membership>`;

/** A full export of `datasource` holding `records`, one a line from line 4 on. */
export function exportText(datasource: string, records: readonly string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<enterprise xmlns="${namespace12}">`,
    `<properties><datasource>${datasource}</datasource><type>full</type><datetime>2024-09-01T02:00:00</datetime></properties>`,
    ...records,
    '</enterprise>',
    '',
  ].join('\n');
}
