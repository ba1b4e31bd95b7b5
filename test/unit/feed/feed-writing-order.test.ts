import fc from 'fast-check';
import { loadRecipientConfigs } from '../../../src/config/index.js';
import { inFeedWritingOrder } from '../../../src/feed/index.js';
import { personScopeOf } from '../../../src/profiles/index.js';

const seeds = loadRecipientConfigs(new URL('../../../fixtures/recipients', import.meta.url).pathname);
const recipients = new Map(seeds.map((config) => [config.id, config]));
const ids = seeds.map((config) => ({ recipientId: config.id }));
const orderOf = (items: readonly { recipientId: string }[]): string[] =>
  inFeedWritingOrder(items, recipients).map(({ recipientId }) => recipientId);

/**
 * A run writes its feeds with the recipients of one person scope one after another, so a kept person
 * pass is taken by the very next feed and never held through another scope's feed (issue 14).
 */
describe('the order a run writes its feeds in', () => {
  it('puts the seed recipients of one person scope together, after the first of them by id', () => {
    expect(orderOf(ids)).toEqual([
      // pupils and staff, no guardians
      'conexus-engage',
      'inspera',
      'pas',
      'skoleplattform-directory',
      // staff
      'den-kulturelle-skolesekken',
      'eft-kurssenter',
      'laerers-laering',
      'gsi-udir',
      'itslearning',
      // transport: pupils
      'ruter-reisekort',
      'skyssportal',
      // sms: pupils, staff and their guardians
      'skole-sms',
      'skoleplattform-messaging',
      'sommerskolen',
      'vis-udir',
      'websak',
    ]);
  });

  it('is the same order whatever order the recipients come in, every scope in one stretch', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(ids), (chosen) => {
        const order = orderOf(chosen);
        expect(order).toEqual(orderOf([...chosen].reverse()));
        expect([...order].sort()).toEqual(chosen.map(({ recipientId }) => recipientId).sort());
        // Once a scope's stretch ends, no recipient of that scope comes again.
        const ended = new Set<string>();
        let current: string | undefined;
        for (const id of order) {
          const config = recipients.get(id);
          const scope =
            config === undefined || config.resolvedProfile.populations.length === 0
              ? `none:${id}`
              : personScopeOf(config.resolvedProfile);
          if (scope !== current) {
            expect(ended.has(scope)).toBe(false);
            if (current !== undefined) ended.add(current);
            current = scope;
          }
        }
      }),
    );
  });
});
