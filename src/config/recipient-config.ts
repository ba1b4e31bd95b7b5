import { z } from 'zod';
import { scheduleProblem } from '../schedule/parse-schedule.js';
import { eeaCountries } from './eea-countries.js';
import { explanationText } from './explanation-text.js';
import { overrideSchema, profileSchema } from './profile-schema.js';
import { secretSourceSchema } from './secret-source.js';
import { deniedReason, recipientKinds, resolveProfile, type Profile } from '../profiles/index.js';

/**
 * A recipient's transport is validated in two steps: here only its `kind`, then by the transport's
 * own config schema in its connector, which src/ must not know (docs/requirements.md#c1).
 */
const transportSchema = z.looseObject({
  kind: z
    .string({ error: required('a transport kind such as "file-drop"') })
    .regex(/^[a-z][a-z0-9-]*$/, 'a transport kind such as "file-drop"'),
});

/** A custom message for a missing required key, the default one for a wrong type. */
function required(fix: string) {
  return (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined ? `is required: ${fix}` : undefined;
}

/** What the scheduler refuses, refused here in its words, so `recipients validate` and `scheduler` agree. */
const cronExpression = z.string().superRefine((expression, context) => {
  const problem = scheduleProblem(expression);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

/** An unknown top-level key is refused with the deny-list's reason when it names a special category. */
function unknownTopLevelKeys(issue: { code?: string; keys?: readonly string[] }): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  return (issue.keys ?? [])
    .map((key) => {
      const denied = deniedReason(key);
      return denied === undefined ? `Unrecognized key: "${key}"` : `"${key}" ${denied}`;
    })
    .join('; ');
}

export const recipientConfigSchema = z
  .strictObject(
    {
      $schema: z.string().optional(),
      id: z
        .string({ error: required('the recipient id, e.g. "itslearning"') })
        .regex(
          /^[a-z0-9][a-z0-9-]{0,62}$/,
          'lower-case letters, digits and "-", at most 63 characters, e.g. "itslearning"',
        ),
      name: z.string({ error: required('a display name') }).min(1, 'a display name is required'),
      kind: z.enum(recipientKinds, {
        error: (issue) =>
          issue.input === undefined
            ? `is required: one of ${recipientKinds.join(', ')}`
            : `${JSON.stringify(issue.input)} is not a recipient kind; use one of ${recipientKinds.join(', ')}`,
      }),
      purpose: explanationText(
        10,
        2,
        'the purpose of the transfer, as the privacy declaration states it: at least 10 characters and two words',
        required('the purpose of the transfer, as the privacy declaration states it'),
      ),
      legalBasis: explanationText(
        5,
        1,
        'the legal basis, e.g. "GDPR Art. 6(1)(e); opplæringslova § 22-1": at least 5 characters and a word',
        required('the legal basis, e.g. "GDPR Art. 6(1)(e); opplæringslova"'),
      ),
      processing: z.strictObject(
        {
          country: z.enum(eeaCountries, {
            error: (issue) =>
              issue.input === undefined
                ? 'is required: the ISO 3166-1 alpha-2 country where the recipient processes the data, e.g. "NO"'
                : `${JSON.stringify(issue.input)} is not an EU/EEA country (ISO 3166-1 alpha-2): the hub refuses to transfer roster data outside the EU/EEA (docs/requirements.md#r6)`,
          }),
          dpaReference: z
            .string({ error: required('the data processing agreement reference (docs/requirements.md#r6)') })
            .min(1, 'the data processing agreement reference is required (docs/requirements.md#r6)'),
        },
        {
          error: required(
            '{ "country": "NO", "dpaReference": "..." }: where the recipient processes the data, under which agreement (docs/requirements.md#r6)',
          ),
        },
      ),
      contact: z.strictObject(
        {
          name: z
            .string({ error: required('who answers for this recipient') })
            .min(1, 'who answers for this recipient'),
          email: z.email({
            error: (issue) =>
              issue.input === undefined ? 'is required: an e-mail address' : 'an e-mail address',
          }),
          phone: z
            .string()
            .regex(/^\+\d+$/, '"+" then digits')
            .optional(),
        },
        { error: required('{ "name": "...", "email": "..." }: who answers for this recipient') },
      ),
      /** R11: systems this recipient passes data on to, named so the disclosure log can name them. */
      relaysTo: z.array(z.string().min(1)).optional(),
      profile: profileSchema.optional(),
      override: overrideSchema.optional(),
      /** Secret for pseudonyms; without one the hub keeps a generated key in its data directory. */
      pseudonymKey: secretSourceSchema.optional(),
      feed: z
        .strictObject({
          accepts: z
            .array(z.enum(['full', 'delta']))
            .min(1, 'at least one of "full", "delta"')
            .default(['full', 'delta'])
            .describe(
              'Feed types the recipient accepts (docs/requirements.md#q7); "full" only means no deltas.',
            ),
          heartbeat: z.boolean().default(false).describe('Send a delta file even when nothing changed.'),
          safety: z
            .strictObject({
              maxDeletePercent: z.number().min(0).max(100).default(5),
              maxChangePercent: z.number().min(0).max(100).default(20),
            })
            .default({ maxDeletePercent: 5, maxChangePercent: 20 })
            .describe(
              'A delta deleting or changing more than this share of what the recipient holds is put on hold.',
            ),
          freeze: z
            .array(
              z.strictObject({
                from: z.iso.date({ error: 'a date as YYYY-MM-DD' }),
                to: z.iso.date({ error: 'a date as YYYY-MM-DD' }),
                reason: explanationText(
                  5,
                  2,
                  'why deltas pause, in at least two words, e.g. "exam week"',
                ).optional(),
              }),
            )
            .default([])
            .describe(
              'Date windows (Europe/Oslo, inclusive) in which deltas are not sent; the next delta after catches up.',
            ),
        })
        .default({
          accepts: ['full', 'delta'],
          heartbeat: false,
          safety: { maxDeletePercent: 5, maxChangePercent: 20 },
          freeze: [],
        }),
      delivery: z
        .strictObject({
          attempts: z
            .int()
            .min(1)
            .max(20)
            .default(5)
            .describe('Delivery attempts before the transfer is dead.'),
          backoffSeconds: z
            .number()
            .min(0.1)
            .max(3600)
            .default(5)
            .describe('First retry delay; doubles each attempt, with jitter.'),
        })
        .default({ attempts: 5, backoffSeconds: 5 }),
      schedule: z
        .strictObject({ full: cronExpression.optional(), delta: cronExpression.optional() })
        .optional(),
      transport: transportSchema,
    },
    { error: unknownTopLevelKeys },
  )
  .superRefine((config, context) => {
    const { problems } = resolveProfile(config.kind, config.profile, config.override);
    for (const problem of problems) {
      const path =
        problem.path[0] === 'profile' && config.profile === undefined && config.override !== undefined
          ? ['override', ...problem.path.slice(1)]
          : [...problem.path];
      context.addIssue({ code: 'custom', path, message: problem.message });
    }
  });

export type RecipientConfigFile = z.infer<typeof recipientConfigSchema>;

/** A valid recipient file with its effective profile resolved. */
export type RecipientConfig = RecipientConfigFile & {
  readonly resolvedProfile: Profile;
  /** What the override adds to the kind's default; empty without one. */
  readonly widenings: readonly string[];
};

/** Validates one parsed recipient file; every problem is reported as `file: path: message`. */
export function parseRecipientConfig(
  value: unknown,
  file: string,
): { config?: RecipientConfig; problems: string[] } {
  const parsed = recipientConfigSchema.safeParse(value);
  if (parsed.success) {
    const { profile, widenings } = resolveProfile(
      parsed.data.kind,
      parsed.data.profile,
      parsed.data.override,
    );
    return { config: Object.freeze({ ...parsed.data, resolvedProfile: profile, widenings }), problems: [] };
  }
  return {
    problems: parsed.error.issues.map((issue) => {
      const path = issue.path.length === 0 ? '(root)' : issue.path.join('.');
      return `${file}: ${path}: ${issue.message}`;
    }),
  };
}
