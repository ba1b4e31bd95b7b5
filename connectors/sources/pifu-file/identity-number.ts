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

/** Whether text holds an 11-digit run with valid check digits (an exporter embedding a number in an id). */
export function holdsIdentityNumber(text: string): boolean {
  for (const match of text.matchAll(/\d{11,}/g)) {
    const run = match[0];
    for (let start = 0; start + 11 <= run.length; start++) {
      if (isValidIdentityNumber(run.slice(start, start + 11))) return true;
    }
  }
  return false;
}

/** An id as a report may show it: any run of 11 or more digits masked but its last two. */
export function maskIds(text: string): string {
  return text.slice(0, 256).replace(/\d{11,}/g, (run) => `${'*'.repeat(run.length - 2)}${run.slice(-2)}`);
}
