/**
 * The base import-base.test.ts's file left, as written by import-base.ts when it sorted the persons and
 * groups again on its own (before they were sorted once for the base and the snapshot): one line each.
 */
const lines = (...each: string[]): string => each.map((line) => `${line}\n`).join('');

export const expectedBase: Record<string, string> = {
  'groups.ndjson': lines(
    '{"key":"001","type":"skole","parentKey":"k","schoolKey":"001","shortName":"Skole","identifiers":[],"schoolTypes":[]}',
    '{"key":"001-1A","type":"basisgruppe","parentKey":"001","schoolKey":"001","shortName":"1A","identifiers":[],"schoolTypes":[]}',
    '{"key":"001-1B","type":"basisgruppe","parentKey":"001","schoolKey":"001","shortName":"1B","identifiers":[],"schoolTypes":[]}',
    '{"key":"k","type":"skoleeier","parentKey":"k","shortName":"Kommune","identifiers":[],"schoolTypes":[]}',
  ),
  'memberships.ndjson': lines(
    '{"groupKey":"001","personKey":"a0000000-0000-4000-8000-000000000002","role":"teacher","isActive":true,"isPrimary":false}',
    '{"groupKey":"001","personKey":"f0000000-0000-4000-8000-000000000001","role":"pupil","isActive":true,"isPrimary":false}',
    '{"groupKey":"001-1A","personKey":"f0000000-0000-4000-8000-000000000001","role":"pupil","isActive":true,"isPrimary":false}',
    '{"groupKey":"001-1B","personKey":"a0000000-0000-4000-8000-000000000002","role":"teacher","isActive":true,"isPrimary":false}',
  ),
  'persons.ndjson': lines(
    '{"person":{"key":"10000000-0000-4000-8000-000000000004","name":{"given":"Borte","family":"Testesen"},"status":"inactive","identifiers":[],"emails":[],"phones":[],"addresses":[],"guardianKeys":[]},"guardianRefs":[]}',
    '{"person":{"key":"a0000000-0000-4000-8000-000000000002","name":{"given":"Lærer","family":"Testesen"},"identifiers":[{"type":"nin","value":"08908200064"}],"emails":[],"phones":[],"addresses":[],"guardianKeys":[]},"guardianRefs":[]}',
    '{"person":{"key":"c0000000-0000-4000-8000-000000000003","name":{"given":"Verge","family":"Testesen"},"identifiers":[],"emails":[],"phones":[],"addresses":[],"guardianKeys":[]},"guardianRefs":[]}',
    '{"person":{"key":"f0000000-0000-4000-8000-000000000001","name":{"given":"Elev","family":"Testesen"},"identifiers":[],"emails":[],"phones":[],"addresses":[],"guardianKeys":[]},"guardianRefs":["WmGcSDP7MwSk0G1667OKYnRV","J8pU3BRhXV5WsI1y-TK_akBS"]}',
  ),
  'withheld-groups.json': '[]',
};
