const first = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const;
const second = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

function checkDigit(digits: string, weights: readonly number[]): number {
  const sum = weights.reduce((total, weight, index) => total + weight * Number(digits[index]), 0);
  const rest = 11 - (sum % 11);
  return rest === 11 ? 0 : rest;
}

/** Eleven digits whose two mod-11 check digits hold: a fødselsnummer, D-number or synthetic test number. */
export function isValidIdentityNumber(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  const k1 = checkDigit(value, first);
  const k2 = checkDigit(value, second);
  return k1 !== 10 && k2 !== 10 && k1 === Number(value[9]) && k2 === Number(value[10]);
}

/**
 * A number as people write it: the birth date's six digits, a space, dot, dash or underscore, the five
 * personal digits (`150370-00024`).
 */
const writtenNumber = /\d{6}[ .\-_]\d{5}/g;

/**
 * Whether text holds an 11-digit run with valid check digits (an exporter embedding a number in an id),
 * as one run of digits or as written with a separator after the birth date.
 */
export function holdsIdentityNumber(text: string): boolean {
  const runs = [
    ...Array.from(text.matchAll(/\d{11,}/g), (match) => match[0]),
    ...Array.from(text.matchAll(writtenNumber), (match) => match[0].slice(0, 6) + match[0].slice(7)),
  ];
  for (const run of runs) {
    for (let start = 0; start + 11 <= run.length; start++) {
      if (isValidIdentityNumber(run.slice(start, start + 11))) return true;
    }
  }
  return false;
}

const masked = (run: string): string => `${run.slice(0, -2).replace(/\d/g, '*')}${run.slice(-2)}`;

/** An id as a report may show it: any run of 11 or more digits, or a written number, masked but its last two. */
export function maskIds(text: string): string {
  return text
    .slice(0, 256)
    .replace(writtenNumber, masked)
    .replace(/\d{11,}/g, masked);
}
