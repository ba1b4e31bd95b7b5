import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import cron from 'node-cron';
import { HubError } from '../errors/index.js';
import { secretSourceSchema } from './secret-source.js';
import {
  deniedReason,
  fieldKeys,
  guardianPolicies,
  idTypeNames,
  orgIdTypeNames,
  profileGroupTypes,
  pupilScopes,
  recipientKinds,
  resolveProfile,
  roletypeCodes,
  type Profile,
} from '../profiles/index.js';

/**
 * EU and EEA member states (R6): a recipient processing anywhere else is refused. ISO 3166-1 alpha-2,
 * Greece as `GR`.
 */
export const eeaCountries = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
] as const;

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

/** The reason a value was refused: the deny-list's when it is deny-listed (R1), else the choices. */
function refusal(what: string, choices: readonly string[]) {
  return (issue: { input?: unknown }): string => {
    const denied = typeof issue.input === 'string' ? deniedReason(issue.input) : undefined;
    if (denied !== undefined) return `"${String(issue.input)}" ${denied}`;
    return `${JSON.stringify(issue.input)} is not ${what}; use one of ${choices.join(', ')}`;
  };
}

const fieldList = z.array(z.enum(fieldKeys, { error: refusal('a person field key', fieldKeys) }));
const idTypeList = z.array(z.enum(idTypeNames, { error: refusal('a PIFU useridtype', idTypeNames) }));
const plainDate = z.iso.date({ error: 'a date as YYYY-MM-DD' });

const profileShape = {
  schools: z.union([
    z.literal('all'),
    z.array(z.string().regex(/^\S+$/, 'a school org number or NSR id')).min(1),
  ]),
  populations: z.array(
    z.enum(['pupil', 'staff'], {
      error: (issue) =>
        issue.input === 'guardian'
          ? 'guardians are never a population of their own (docs/requirements.md#r8): set "guardians" to "viaPupils" or "consentedViaPupils"'
          : `${JSON.stringify(issue.input)} is not a population; use "pupil" or "staff"`,
    }),
  ),
  guardians: z.enum(guardianPolicies),
  activeOnly: z.boolean(),
  groupTypes: z.array(z.enum(profileGroupTypes, { error: refusal('a PIFU group type', profileGroupTypes) })),
  roletypes: z.array(z.enum(roletypeCodes, { error: refusal('a PIFU roletype', roletypeCodes) })),
  levels: z.union([z.literal('all'), z.array(z.int().min(1).max(13))]),
  dateWindow: z.strictObject({ from: plainDate.optional(), to: plainDate.optional() }),
  pupilScope: z.enum(pupilScopes),
  fields: fieldList,
  staffFields: fieldList,
  guardianFields: fieldList,
  idTypes: idTypeList,
  staffIdTypes: idTypeList,
  guardianIdTypes: idTypeList,
  orgIdTypes: z.array(z.enum(orgIdTypeNames, { error: refusal('an org identifier type', orgIdTypeNames) })),
  pseudonymise: z.boolean(),
  strictlyConfidential: z.enum(['exclude', 'include']),
  leavers: z.enum(['delete', 'close']),
};

/** Unknown keys in a profile are refused with the deny-list's reason when they name a special category. */
function unknownKeys(where: string) {
  return (issue: { code?: string; keys?: readonly string[] }): string | undefined => {
    if (issue.code !== 'unrecognized_keys') return undefined;
    return (issue.keys ?? [])
      .map((key) => {
        const denied = deniedReason(key);
        return denied === undefined
          ? `"${key}" is not a ${where} setting; use ${Object.keys(profileShape).join(', ')}`
          : `"${key}" ${denied}`;
      })
      .join('; ');
  };
}

const profileSchema = z
  .strictObject(
    Object.fromEntries(Object.entries(profileShape).map(([key, schema]) => [key, schema.optional()])) as {
      [K in keyof typeof profileShape]: z.ZodOptional<(typeof profileShape)[K]>;
    },
    { error: unknownKeys('profile') },
  )
  .describe("Narrows the kind's default profile (docs/requirements.md#kinds); it can never widen it.");

const overrideSchema = z
  .strictObject(
    {
      ...(Object.fromEntries(
        Object.entries(profileShape).map(([key, schema]) => [key, schema.optional()]),
      ) as { [K in keyof typeof profileShape]: z.ZodOptional<(typeof profileShape)[K]> }),
      reason: z
        .string({ error: 'an override needs a written "reason"; it is shown in the disclosure log' })
        .min(20, 'a written reason of at least 20 characters; it is shown in the disclosure log'),
    },
    { error: unknownKeys('override') },
  )
  .describe("Widens the kind's default profile, with a reason shown in the config diff and disclosure log.");

const cronExpression = z
  .string()
  .refine(
    (expression) => cron.validate(expression),
    'a cron expression such as "0 2 * * *" (Europe/Oslo time)',
  );

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
      purpose: z
        .string({ error: required('the purpose of the transfer, as the privacy declaration states it') })
        .min(10, 'the purpose of the transfer, as the privacy declaration states it'),
      legalBasis: z
        .string({ error: required('the legal basis, e.g. "GDPR Art. 6(1)(e); opplæringslova"') })
        .min(5, 'the legal basis, e.g. "GDPR Art. 6(1)(e); opplæringslova § 22-1"'),
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
                reason: z.string().min(1).optional(),
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

/**
 * Loads every `*.json` recipient file in a directory. Either all are valid or none is used: one error
 * carries every problem, so an operator fixes them in one go.
 */
export function loadRecipientConfigs(dir: string): RecipientConfig[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new HubError(
      'PIFU_CONFIG_INVALID',
      `cannot read recipients directory ${dir}; set PIFU_HUB_RECIPIENTS_DIR`,
      {
        cause: error,
      },
    );
  }
  return parseRecipientFiles(files.map((name) => join(dir, name)));
}

export function parseRecipientFiles(paths: readonly string[]): RecipientConfig[] {
  const configs: RecipientConfig[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const path of paths) {
    const file = basename(path);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      problems.push(
        `${file}: (root): not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      );
      continue;
    }
    const result = parseRecipientConfig(value, file);
    problems.push(...result.problems);
    if (result.config === undefined) continue;
    const earlier = seen.get(result.config.id);
    if (earlier !== undefined)
      problems.push(`${file}: id: "${result.config.id}" is already used by ${earlier}`);
    seen.set(result.config.id, file);
    configs.push(result.config);
  }
  if (problems.length > 0) {
    throw new HubError('PIFU_RECIPIENT_INVALID', `${problems.length} problem(s): ${problems.join('; ')}`);
  }
  return configs;
}
