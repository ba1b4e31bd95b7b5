import { z } from 'zod';
import type { ConfigPlaces } from '../../../src/config/index.js';

/**
 * The recipient fetches its feeds itself from the hub's pull endpoint (`GET /feeds/{recipient}/next`),
 * signing in with a token of its own (`pifu-hub tokens create --recipient ID --name N`). Nothing to
 * configure: no address, no secret in the recipient file.
 */
export const pullConfigSchema = z.strictObject({ kind: z.literal('pull') });

/** A pull recipient names no directory and no secret file. */
export function pullConfigPlaces(): ConfigPlaces {
  return {};
}
