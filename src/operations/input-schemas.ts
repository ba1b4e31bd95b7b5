import { z } from 'zod';

/**
 * Input rules shared by operations, with their bounds in one place (docs/cli.md quotes them). Every
 * message names what is expected, never the value given: a value typed in the wrong field may be
 * personal data.
 */
export const listLimit = { default: 50, max: 1000 } as const;

export const limitSchema = z
  .number({ error: 'expected a whole number' })
  .int('expected a whole number')
  .min(1, 'at least 1')
  .max(listLimit.max, `at most ${listLimit.max}`)
  .default(listLimit.default);

/** Eleven digits, whole or split after the birth date as people write them: a national identity number. */
const identityNumberLike = /(?<!\d)\d{6}[\s.-]?\d{5}(?!\d)/;

/**
 * A reason an operator gives must explain something: two words at least, not blanks or punctuation. It
 * is stored in the audit trail and the run and shown to other operators, so it must not name the person
 * by national identity number (docs/requirements.md R4): the case number says which request it was.
 */
export const reasonSchema = z
  .string({ error: 'a reason is required' })
  .trim()
  .max(500, 'at most 500 characters')
  .refine(
    (text) => (text.match(/\p{L}{2,}/gu) ?? []).length >= 2,
    'say why in words (at least two words), e.g. "case 2026/117: erasure request"',
  )
  .refine(
    (text) => !identityNumberLike.test(text),
    'it holds what looks like a national identity number, which the hub never stores; give the case instead, e.g. "case 2026/117: erasure request"',
  );

export const recipientIdSchema = z
  .string({ error: 'a recipient id is required' })
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a recipient id: lower-case letters, digits and -');

export const runIdSchema = z
  .string({ error: 'a run id is required' })
  .regex(/^run-[A-Za-z0-9-]{1,120}$/, 'a run id such as run-20261127T020000Z-1a2b3c (see `pifu-hub runs`)');

export const transferIdSchema = z
  .string({ error: 'a transfer id is required' })
  .regex(
    /^transfer-[A-Za-z0-9-]{1,160}$/,
    'a transfer id such as transfer-20261127T020000Z-1a2b3c-websak (see `pifu-hub transfers`)',
  );

/**
 * What restricting a person's processing (Art. 18) and lifting it take alike: the person, the recipients
 * (or `all`) and why.
 */
export const restrictionInput = z.strictObject({
  person: z.string(),
  recipients: z.array(recipientIdSchema).optional(),
  all: z.boolean().optional(),
  reason: reasonSchema,
});
