import { parseRecipientConfig } from '../../../src/config/index.js';
import { valid } from './support/recipient-files.js';

const override = (reason: string) => ({ ...valid, override: { fields: ['gender'], reason } });
const freeze = (reason: string) => ({
  ...valid,
  feed: { freeze: [{ from: '2026-06-01', to: '2026-06-05', reason }] },
});

/** Texts that explain something must have words: at least two of two letters (a legal basis: one). */
describe('texts that explain something', () => {
  it.each([
    [
      'a purpose of spaces',
      { ...valid, purpose: ' '.repeat(12) },
      'purpose: the purpose of the transfer, as the privacy declaration states it: at least 10 characters and two words',
    ],
    ['a purpose of dots', { ...valid, purpose: '..........' }, 'purpose: the purpose'],
    ['a purpose of one word padded', { ...valid, purpose: 'x         y' }, 'purpose: the purpose'],
    ['a purpose of one word', { ...valid, purpose: 'Attendance' }, 'purpose: the purpose'],
    ['a purpose of digits', { ...valid, purpose: '1234567890 123' }, 'purpose: the purpose'],
    [
      'a legal basis of spaces',
      { ...valid, legalBasis: '      ' },
      'legalBasis: the legal basis, e.g. "GDPR Art. 6(1)(e); opplæringslova § 22-1": at least 5 characters and a word',
    ],
    ['a legal basis of numbers', { ...valid, legalBasis: '6(1)(e)' }, 'legalBasis: the legal basis'],
    [
      'an override reason of spaces',
      override(' '.repeat(25)),
      'override.reason: a written reason of at least 20 characters and two words; it is shown in the disclosure log',
    ],
    ['an override reason of punctuation', override('-'.repeat(25)), 'override.reason: a written reason'],
    [
      'an override reason padded to length',
      override('because              '),
      'override.reason: a written reason',
    ],
    [
      'a freeze reason of spaces',
      freeze('     '),
      'feed.freeze.0.reason: why deltas pause, in at least two words, e.g. "exam week"',
    ],
    ['a freeze reason of one word', freeze('exams'), 'feed.freeze.0.reason: why deltas pause'],
  ])('refuse %s, saying the rule', (_case, config, message) => {
    const { problems } = parseRecipientConfig(config, 'websak.json');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`websak.json: ${message}`);
  });

  it.each([
    ['a purpose', { ...valid, purpose: 'Pupil records (elevmappe)' }],
    ['a Norwegian legal basis of one law', { ...valid, legalBasis: 'opplæringslova § 22-1' }],
    ['a legal basis citing GDPR', { ...valid, legalBasis: 'GDPR 6(1)(e)' }],
    ['an override reason', override('Guardians log in with ID-porten by NIN')],
    ['a freeze reason', freeze('exam week')],
    ['a freeze without a reason', { ...valid, feed: { freeze: [{ from: '2026-06-01', to: '2026-06-05' }] } }],
  ])('accept %s', (_case, config) => {
    expect(parseRecipientConfig(config, 'websak.json').problems).toEqual([]);
  });
});
