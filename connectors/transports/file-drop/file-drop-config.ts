import { z } from 'zod';
import { configPathSchema, type ConfigPlaces } from '../../../src/config/index.js';

/**
 * A directory the recipient reads from (a local disk, or a share mounted by the operator). Its shape
 * (no NUL, no `..`) is checked here; where it may be (PIFU_HUB_DROP_ROOT, never a system directory)
 * when the recipients are loaded, from `fileDropConfigPlaces`.
 */
export const fileDropConfigSchema = z.strictObject({
  kind: z.literal('file-drop'),
  directory: configPathSchema('the directory the recipient reads feeds from'),
});

export type FileDropConfig = z.infer<typeof fileDropConfigSchema>;

export function fileDropConfigPlaces(config: FileDropConfig): ConfigPlaces {
  return { dropDirectories: [['transport.directory', config.directory]] };
}
