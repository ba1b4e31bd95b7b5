import type { RecipientConfig } from '../../config/index.js';
import { profileKeys } from '../../profiles/index.js';
import { describePseudonymKey, freezeWindows } from './recipient-description.js';

/** A profile or config value as one line of text. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export interface ListDifference {
  readonly key: string;
  readonly onlyA: readonly string[];
  readonly onlyB: readonly string[];
}

export interface ScalarDifference {
  readonly key: string;
  readonly a: string;
  readonly b: string;
}

/** How two recipients differ, key by key. */
export interface RecipientDiff {
  readonly a: string;
  readonly b: string;
  readonly lists: readonly ListDifference[];
  readonly scalars: readonly ScalarDifference[];
  readonly identical: boolean;
}

type Comparable = string | readonly (string | number)[] | undefined;

function compare(
  key: string,
  a: Comparable,
  b: Comparable,
  lists: ListDifference[],
  scalars: ScalarDifference[],
): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    const left = a.map(String);
    const right = b.map(String);
    const onlyA = left.filter((value) => !right.includes(value));
    const onlyB = right.filter((value) => !left.includes(value));
    if (onlyA.length > 0 || onlyB.length > 0) lists.push({ key, onlyA, onlyB });
    return;
  }
  const left = formatValue(a);
  const right = formatValue(b);
  if (left !== right) scalars.push({ key, a: left, b: right });
}

/**
 * Two recipients' differences: the effective profiles key by key (for lists what only one has, for
 * scalars both values), then what the disclosure log and privacy declaration show of each (kind,
 * legal basis, purpose, processing country and DPA, override, relays, transport kind).
 */
export function diffRecipients(a: RecipientConfig, b: RecipientConfig): RecipientDiff {
  const lists: ListDifference[] = [];
  const scalars: ScalarDifference[] = [];
  const scalar = (value: unknown): Comparable =>
    value === undefined ? undefined : Array.isArray(value) ? value : formatValue(value);
  compare('kind', a.kind, b.kind, lists, scalars);
  compare('legalBasis', a.legalBasis, b.legalBasis, lists, scalars);
  compare('purpose', a.purpose, b.purpose, lists, scalars);
  compare('processing.country', a.processing.country, b.processing.country, lists, scalars);
  compare('processing.dpaReference', a.processing.dpaReference, b.processing.dpaReference, lists, scalars);
  for (const key of profileKeys) {
    compare(key, scalar(a.resolvedProfile[key]), scalar(b.resolvedProfile[key]), lists, scalars);
  }
  compare('override.reason', a.override?.reason, b.override?.reason, lists, scalars);
  compare('override.widenings', a.widenings, b.widenings, lists, scalars);
  compare('relaysTo', a.relaysTo ?? [], b.relaysTo ?? [], lists, scalars);
  compare('feed.accepts', a.feed?.accepts ?? [], b.feed?.accepts ?? [], lists, scalars);
  compare('feed.heartbeat', scalar(a.feed?.heartbeat), scalar(b.feed?.heartbeat), lists, scalars);
  for (const limit of ['maxDeletePercent', 'maxChangePercent'] as const) {
    compare(
      `feed.safety.${limit}`,
      scalar(a.feed?.safety[limit]),
      scalar(b.feed?.safety[limit]),
      lists,
      scalars,
    );
  }
  compare('feed.freeze', freezeWindows(a), freezeWindows(b), lists, scalars);
  compare(
    'pseudonymKey',
    describePseudonymKey(a) ?? undefined,
    describePseudonymKey(b) ?? undefined,
    lists,
    scalars,
  );
  compare('transport.kind', a.transport.kind, b.transport.kind, lists, scalars);
  return { a: a.id, b: b.id, lists, scalars, identical: lists.length === 0 && scalars.length === 0 };
}
