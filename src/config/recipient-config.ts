import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { HubError } from '../errors/index.js';

/** The kinds of recipient system the hub ships a default profile for (RECIPIENTS.md §2). */
export const recipientKinds = [
  'lms',
  'directory',
  'archive',
  'sms',
  'assessment',
  'portal',
  'statistics',
  'course',
  'culture',
  'analytics',
  'transport',
  'staff',
] as const;

export type RecipientKind = (typeof recipientKinds)[number];

/**
 * A recipient's transport is validated in two steps: here only its `kind`, then by the transport's
 * own config schema in its connector, which src/ must not know (STYLE 2.1).
 */
const transportSchema = z.looseObject({
  kind: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a transport kind such as "file-drop"'),
});

export const recipientConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  id: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,62}$/,
      'lower-case letters, digits and "-", at most 63 characters, e.g. "itslearning"',
    ),
  name: z.string().min(1, 'a display name is required'),
  kind: z.enum(recipientKinds),
  transport: transportSchema,
});

export type RecipientConfig = z.infer<typeof recipientConfigSchema>;

/** Validates one parsed recipient file; every problem is reported as `file: path: message`. */
export function parseRecipientConfig(
  value: unknown,
  file: string,
): { config?: RecipientConfig; problems: string[] } {
  const parsed = recipientConfigSchema.safeParse(value);
  if (parsed.success) return { config: Object.freeze(parsed.data), problems: [] };
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
