import type { z } from 'zod';
import { HubError } from '../errors/index.js';

/**
 * Validates an operation's input at the door: every problem in one PIFU_USAGE_INVALID line, each naming
 * its field (`limit: at most 1000`), so the CLI and the API report bad input the same way.
 */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.length === 0 ? 'input' : issue.path.join('.')}: ${issue.message}`,
  );
  throw new HubError('PIFU_USAGE_INVALID', problems.join('; '));
}
