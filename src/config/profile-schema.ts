import { z } from 'zod';
import { explanationText } from './explanation-text.js';
import {
  deniedReason,
  fieldKeys,
  guardianPolicies,
  idTypeNames,
  orgIdTypeNames,
  profileGroupTypes,
  pupilScopes,
  roletypeCodes,
} from '../profiles/index.js';

/**
 * The `profile` and `override` keys of a recipient file: the same settings, `override` with a written
 * reason. Whether a value narrows or widens the kind's default is `resolveProfile`'s to say.
 */

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

export const profileSchema = z
  .strictObject(
    Object.fromEntries(Object.entries(profileShape).map(([key, schema]) => [key, schema.optional()])) as {
      [K in keyof typeof profileShape]: z.ZodOptional<(typeof profileShape)[K]>;
    },
    { error: unknownKeys('profile') },
  )
  .describe("Narrows the kind's default profile (docs/requirements.md#kinds); it can never widen it.");

export const overrideSchema = z
  .strictObject(
    {
      ...(Object.fromEntries(
        Object.entries(profileShape).map(([key, schema]) => [key, schema.optional()]),
      ) as { [K in keyof typeof profileShape]: z.ZodOptional<(typeof profileShape)[K]> }),
      reason: explanationText(
        20,
        2,
        'a written reason of at least 20 characters and two words; it is shown in the disclosure log',
        () => 'an override needs a written "reason"; it is shown in the disclosure log',
      ),
    },
    { error: unknownKeys('override') },
  )
  .describe("Widens the kind's default profile, with a reason shown in the config diff and disclosure log.");
