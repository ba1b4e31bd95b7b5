/**
 * What real PIFU exports carry and no recipient may ever get from the hub (docs/requirements.md#r1): the
 * reader drops these at the door, and says how many it dropped. The model has no place for any of them.
 */
export const withheldKinds = {
  photo: 'photo',
  disability: 'special needs',
  pifu_absence: 'absence',
  interimresult: 'grades',
  finalresult: 'grades',
  pifu_nativeTongue: 'native tongue',
} as const;

/**
 * How the report counts a `userid`'s `password` attribute (IMS Enterprise: the account's password, often
 * in clear, `pwencryptiontype` saying how it is encoded): the parser reads only the id, so the password is
 * dropped as the elements above are, and counted the same way.
 */
const credentialKind = 'password';

export type WithheldKind = (typeof withheldKinds)[keyof typeof withheldKinds] | typeof credentialKind;

const pattern = new RegExp(`<(?:[\\w.-]+:)?(${Object.keys(withheldKinds).join('|')})[\\s/>]`, 'g');
/** A `userid` start tag with a `password` attribute (namespace prefixes allowed on either). */
const credentialPattern = /<(?:[\w.-]+:)?userid\s[^>]*?(?<=\s)(?:[\w.-]+:)?password\s*=/g;

/** One kind per withheld element that starts in the record's text, and per `userid` carrying a password. */
export function countWithheld(xml: string): WithheldKind[] {
  const found: WithheldKind[] = [];
  if (!xml.includes('<')) return found;
  for (const match of xml.matchAll(pattern)) {
    found.push(withheldKinds[match[1] as keyof typeof withheldKinds]);
  }
  // Rare in an export: the scan of the text is skipped unless the word is in it.
  if (!xml.includes('password')) return found;
  for (const _ of xml.matchAll(credentialPattern)) found.push(credentialKind);
  return found;
}
