import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { recipientConfigSchema } from '../src/config/index.js';

/** The JSON Schema editors and operators use for recipient files, generated from the zod schema. */
export function recipientJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(recipientConfigSchema, { target: 'draft-2020-12', io: 'input' }), null, 2)}\n`;
}

// `node dist/schemas/generate-recipient-schema.js` rewrites the committed file (npm run generate).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(
    new URL('../../schemas/recipient-config.schema.json', import.meta.url),
    recipientJsonSchema(),
  );
}
