import { z } from 'zod';
import { HubError } from '../../../src/errors/index.js';

export const recordsDbConfigSchema = z.object({
  /** PIFU datasource / sourcedid source; PIFU allows at most 32 characters. */
  source: z.string().min(1).max(32).default('pifu-hub'),
  /** Rows per keyset page; memory per stream is bounded by this, never by the municipality. */
  chunkSize: z.number().int().min(1).max(50_000).default(2_000),
});

export type RecordsDbConfig = z.infer<typeof recordsDbConfigSchema>;

/** Validates every field at once and returns a frozen config (docs/requirements.md#c5). */
export function parseRecordsDbConfig(input: unknown = {}): Readonly<RecordsDbConfig> {
  const parsed = recordsDbConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new HubError('PIFU_CONFIG_INVALID', `records-db source config: ${problems.join('; ')}`);
  }
  return Object.freeze(parsed.data);
}
