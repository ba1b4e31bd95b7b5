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

export type WithheldKind = (typeof withheldKinds)[keyof typeof withheldKinds];

const pattern = new RegExp(`<(?:[\\w.-]+:)?(${Object.keys(withheldKinds).join('|')})[\\s/>]`, 'g');

/** One kind per withheld element that starts in the record's text. */
export function countWithheld(xml: string): WithheldKind[] {
  const found: WithheldKind[] = [];
  if (!xml.includes('<')) return found;
  for (const match of xml.matchAll(pattern)) {
    found.push(withheldKinds[match[1] as keyof typeof withheldKinds]);
  }
  return found;
}
