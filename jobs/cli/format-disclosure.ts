import { groupCategories, type DisclosureAnswer } from '../../src/operations/index.js';
import { formatGroupedCategories } from './format-categories.js';
import { formatPairs } from './output.js';

/** One disclosure for a reader: when, to whom, why (legal basis, override), which categories. */
export function formatDisclosure(answer: DisclosureAnswer): string {
  const pairs: [string, string][] = [
    [
      'transfer',
      `${answer.transferId} (trigger ${answer.trigger}${answer.reason === null ? '' : `: ${answer.reason}`})`,
    ],
    ['categories', formatGroupedCategories(groupCategories(answer.categories))],
    ['legal basis', answer.legalBasis ?? '-'],
  ];
  if (answer.purpose !== null) pairs.push(['purpose', answer.purpose]);
  if (answer.overrideReason !== null) {
    pairs.push([
      'override',
      answer.widenings.length === 0
        ? answer.overrideReason
        : `${answer.overrideReason} (widens ${answer.widenings.join(', ')})`,
    ]);
  }
  if (answer.relaysTo.length > 0) pairs.push(['relays to', answer.relaysTo.join(', ')]);
  if (answer.sha256Hex !== null) pairs.push(['sha-256', answer.sha256Hex]);
  return `${answer.disclosedAt.toISOString()}  ${answer.recipientId}\n${formatPairs(pairs, '  ')}`;
}
