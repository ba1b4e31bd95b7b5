import { checkInputFile, validateFeedFile, type FeedValidation, type InputLimits } from '../pifu/index.js';

/**
 * Checks PIFU-IMS files against the official 1.3 XSD (anyone may: it reads files, not hub data). Each
 * path must be a readable regular file, checked before any is validated; otherwise one
 * PIFU_FILE_UNREADABLE line names it and why, in the words import uses (checkInputFile).
 */
export async function validateFeeds(
  paths: readonly string[],
  options: { limits?: InputLimits } = {},
): Promise<{ path: string; validation: FeedValidation }[]> {
  for (const path of paths) await checkInputFile(path);
  const results: { path: string; validation: FeedValidation }[] = [];
  for (const path of paths) {
    results.push({ path, validation: await validateFeedFile(path, options) });
  }
  return results;
}
