/**
 * How an operator names a school: its organisation number (9 digits whose last is the Brønnøysund
 * modulus-11 check digit) or its NSR id (the national school register's number, shorter). A 9-digit
 * number with a wrong check digit is a typo, not an NSR id.
 */
export type SchoolReference =
  | { readonly kind: 'organization-number' | 'nsr-id'; readonly value: string }
  | { readonly kind: 'invalid'; readonly why: string };

const weights = [3, 2, 7, 6, 5, 4, 3, 2] as const;

function isOrganizationNumber(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const sum = weights.reduce((total, weight, index) => total + weight * Number(digits[index]), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[8]);
}

export function classifySchoolReference(text: string): SchoolReference {
  const value = text.trim().replace(/\s/g, '');
  if (/^\d{9}$/.test(value)) {
    return isOrganizationNumber(value)
      ? { kind: 'organization-number', value }
      : { kind: 'invalid', why: 'a 9-digit organisation number whose check digit is wrong' };
  }
  if (/^\d{1,8}$/.test(value)) return { kind: 'nsr-id', value };
  return { kind: 'invalid', why: 'neither an organisation number (9 digits) nor an NSR id (digits)' };
}
