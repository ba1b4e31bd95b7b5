import { fragment } from 'xmlbuilder2';
import type { FeedType, RosterProperties } from '../model/index.js';
import { FieldViolation, toModelInvalid } from './field-violation.js';
import { pifuNamespace } from './pifu-namespace.js';
import { fitsMaxLength, isXsdDateTime } from './xsd-facets.js';

/** Spec 2.1 row 1.2: `properties@lang` is required; the hub's metadata is Norwegian. */
export const propertiesLang = 'no';

// eslint-disable-next-line no-control-regex -- matching the characters XML 1.0 forbids is the point
const systemIdPattern = /^[^\u0000-\u001F\uFFFE\uFFFF\uD800-\uDFFF]+$/u;

/**
 * `datasource` doubles as every sourcedid's `source`, so it must fit `source` (32 characters, spec 2.5
 * row 5.6) as well as `datasource` (256). System ids are single-line text.
 */
function checkProperties(properties: RosterProperties, target: string | undefined): void {
  if (!systemIdPattern.test(properties.source) || !fitsMaxLength(properties.source, 32)) {
    throw new FieldViolation('source', 'is not 1..32 characters of single-line text');
  }
  if (target !== undefined && (!systemIdPattern.test(target) || !fitsMaxLength(target, 256))) {
    throw new FieldViolation('target', 'is not 1..256 characters of single-line text');
  }
  if (!isXsdDateTime(properties.snapshotAt)) throw new FieldViolation('snapshotAt', 'is not an xs:dateTime');
}

/**
 * The XML declaration, the `enterprise` start tag with PIFU as the default namespace (no prefixes:
 * docs/requirements.md#p-interop) and the `properties` element (spec 2.1). The properties are built
 * with xmlbuilder2: it is one small element per feed, so its speed does not matter.
 */
export function renderHeader(properties: RosterProperties, feedType: FeedType, target?: string): string {
  try {
    checkProperties(properties, target);
  } catch (error) {
    throw toModelInvalid('properties', properties.source, error);
  }
  const element = fragment().ele('properties', { lang: propertiesLang });
  element.ele('datasource').txt(properties.source);
  if (target !== undefined) element.ele('target').txt(target);
  element.ele('type').txt(feedType);
  element.ele('datetime').txt(properties.snapshotAt);
  const propertiesXml = element.end({ headless: true });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<enterprise xmlns="${pifuNamespace}">\n${propertiesXml}\n`;
}
