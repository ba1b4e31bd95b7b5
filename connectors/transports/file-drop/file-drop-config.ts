import { z } from 'zod';

/** A directory the recipient reads from (a local disk, or a share mounted by the operator). */
export const fileDropConfigSchema = z.strictObject({
  kind: z.literal('file-drop'),
  directory: z.string().min(1, 'the directory the recipient reads feeds from'),
});

export type FileDropConfig = z.infer<typeof fileDropConfigSchema>;
