import type { ChangeKind, Timeframe } from '../model/index.js';
import { HubError } from '../errors/index.js';
import { invert, recstatusCode } from './pifu-vocabulary.js';
import { attribute, child, childText, children, type XmlNode } from './xml-node.js';

const changeByRecstatus = invert(recstatusCode);

export function unreadableRecord(what: string): HubError {
  return new HubError('PIFU_XML_UNREADABLE', `${what}; the feed does not follow PIFU-IMS 1.3`);
}

export function sourcedidId(sourcedid: XmlNode | undefined): string | undefined {
  return childText(sourcedid, 'id');
}

/**
 * The object's own id (spec 2.5 row 5.6): while an id is being changed a record carries an Old and a New
 * sourcedid, and the New one is current.
 */
export function ownId(node: XmlNode): string | undefined {
  const sourcedids = children(node, 'sourcedid');
  const current =
    sourcedids.find((sourcedid) => attribute(sourcedid, 'sourcedidtype') === 'New') ??
    sourcedids.find((sourcedid) => attribute(sourcedid, 'sourcedidtype') === undefined) ??
    sourcedids[0];
  return sourcedidId(current);
}

/** The ids an object had before (`sourcedidtype="Old"`), when a record carries them. */
export function formerIds(node: XmlNode): string[] {
  return children(node, 'sourcedid')
    .filter((sourcedid) => attribute(sourcedid, 'sourcedidtype') === 'Old')
    .map((sourcedid) => sourcedidId(sourcedid))
    .filter((id): id is string => id !== undefined && id !== ownId(node));
}

export function recstatusOf(node: XmlNode, what: string): ChangeKind | undefined {
  const recstatus = attribute(node, 'recstatus');
  if (recstatus === undefined) return undefined;
  const change = changeByRecstatus.get(recstatus);
  if (change === undefined) throw unreadableRecord(`${what} has recstatus outside 1..3`);
  return change;
}

export function parseTimeframe(node: XmlNode | undefined): Timeframe | undefined {
  if (node === undefined) return undefined;
  const begin = childText(node, 'begin');
  const end = childText(node, 'end');
  const adminPeriod = childText(node, 'adminperiod');
  return {
    ...(begin === undefined ? {} : { begin }),
    ...(end === undefined ? {} : { end }),
    ...(adminPeriod === undefined ? {} : { adminPeriod }),
  };
}

export function extensionOf(node: XmlNode): XmlNode | undefined {
  return child(node, 'extension');
}
