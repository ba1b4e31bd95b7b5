import type { FeedType } from '../model/index.js';
import { escapeXml } from './xml-escape.js';

/** What every object renderer needs to know about the feed it is part of. */
export interface RenderContext {
  /** The escaped `sourcedid/source` (spec 2.5 row 5.6), shared by every sourcedid in the feed. */
  readonly sourceXml: string;
  readonly feedType: FeedType;
  readonly orgUnits: ReadonlyMap<string, string>;
}

export function createRenderContext(
  source: string,
  feedType: FeedType,
  orgUnits: ReadonlyMap<string, string>,
): RenderContext {
  return { sourceXml: escapeXml(source), feedType, orgUnits };
}
