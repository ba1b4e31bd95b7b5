import {
  holdsIdentityNumber,
  isValidIdentityNumber,
  maskIds,
} from '../../../connectors/sources/pifu-file/identity-number.js';

// Synthetic numbers (valid check digits, no real person): the stable-identity test's pair.
const nin = '08908200064';
const written = `${nin.slice(0, 6)}-${nin.slice(6)}`;

describe('a national identity number inside an id', () => {
  it('is found as one run of digits, alone or inside a longer run', () => {
    expect(isValidIdentityNumber(nin)).toBe(true);
    expect(holdsIdentityNumber(`skole-${nin}`)).toBe(true);
    expect(holdsIdentityNumber(`1A${nin}7`)).toBe(true);
  });

  it.each(['-', ' ', '.', '_'])('is found as people write it, with %j after the birth date', (separator) => {
    expect(holdsIdentityNumber(`x-${nin.slice(0, 6)}${separator}${nin.slice(6)}`)).toBe(true);
  });

  it('is not found where the check digits fail, or the digits are grouped otherwise', () => {
    expect(holdsIdentityNumber(`x-${nin.slice(0, 6)}-${nin.slice(6, 10)}5`)).toBe(false);
    expect(holdsIdentityNumber(`x-${nin.slice(0, 5)}-${nin.slice(5)}`)).toBe(false);
    expect(holdsIdentityNumber('klasse-2024-10A')).toBe(false);
  });

  it('is masked in a report but for its last two digits, in either form', () => {
    expect(maskIds(`skole-${nin}`)).toBe('skole-*********64');
    expect(maskIds(`x-${written}`)).toBe('x-******-***64');
    expect(maskIds(`x-${written}`)).not.toContain(nin.slice(0, 6));
  });
});
