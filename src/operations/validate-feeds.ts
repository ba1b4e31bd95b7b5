import { stat } from 'node:fs/promises';
import { HubError } from '../errors/index.js';
import { validateFeedFile, type FeedValidation, type InputLimits } from '../pifu/index.js';

/**
 * Checks PIFU-IMS files against the official 1.3 XSD (anyone may: it reads files, not hub data). Each
 * path must be a readable regular file; otherwise one PIFU_FILE_UNREADABLE line names it and why.
 */
export async function validateFeeds(
  paths: readonly string[],
  options: { limits?: InputLimits } = {},
): Promise<{ path: string; validation: FeedValidation }[]> {
  for (const path of paths) {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'ENOENT'
          ? 'no such file'
          : error.code === 'EACCES'
            ? 'permission denied'
            : 'cannot read it';
      throw new HubError('PIFU_FILE_UNREADABLE', `${path}: ${why}; name a PIFU-IMS XML file`);
    });
    if (!info.isFile()) {
      throw new HubError(
        'PIFU_FILE_UNREADABLE',
        `${path}: ${info.isDirectory() ? 'a directory' : 'not a regular file'}; name the XML files themselves (e.g. DIR/*.xml)`,
      );
    }
  }
  const results: { path: string; validation: FeedValidation }[] = [];
  for (const path of paths) {
    results.push({ path, validation: await validateFeedFile(path, options) });
  }
  return results;
}
