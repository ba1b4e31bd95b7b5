import type { FeedProperties } from './feed-document.js';
import { unreadableRecord } from './parse-common-elements.js';
import { childText, children, textOf, type XmlNode } from './xml-node.js';

const feedTypes: ReadonlySet<string> = new Set(['full', 'delta', 'event']);

/** Maps `properties` (spec 2.1 rows 1.2.x). */
export function parseProperties(properties: XmlNode): FeedProperties {
  const datasource = childText(properties, 'datasource');
  const type = childText(properties, 'type');
  const datetime = childText(properties, 'datetime');
  if (datasource === undefined || datetime === undefined) {
    throw unreadableRecord('properties has no datasource or no datetime');
  }
  if (type === undefined || !feedTypes.has(type))
    throw unreadableRecord('properties/type is not full, delta or event');
  return {
    datasource,
    targets: children(properties, 'target').map((target) => textOf(target) ?? ''),
    type: type as FeedProperties['type'],
    datetime,
  };
}
