import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../../../helpers/scratch-dir.js';

/** A recipient file that passes every check: the config tests change or drop one key of it at a time. */
export const valid = {
  id: 'websak',
  name: 'Websak',
  kind: 'archive',
  purpose: 'Pupil records in the archive',
  legalBasis: 'GDPR Art. 6(1)(c); arkivlova',
  processing: { country: 'NO', dpaReference: 'DPA-1' },
  contact: { name: 'Arkiv', email: 'arkiv@example.org' },
  transport: { kind: 'file-drop', directory: 'out' },
};

/** A recipients directory of `files` (name → JSON value, or raw text for a file that is not JSON). */
export function directoryWith(files: Record<string, unknown>): string {
  const dir = scratchDir('recipients-');
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}
