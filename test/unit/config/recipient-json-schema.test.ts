import { readFileSync } from 'node:fs';
import { format } from 'prettier';
import { recipientJsonSchema } from '../../../schemas/generate-recipient-schema.js';

describe('schemas/recipient-config.schema.json', () => {
  it('is what the zod schema generates (run `npm run generate` after changing src/config)', async () => {
    const committed = readFileSync(
      new URL('../../../schemas/recipient-config.schema.json', import.meta.url),
      'utf8',
    );
    const generated = await format(recipientJsonSchema(), {
      parser: 'json',
      singleQuote: true,
      printWidth: 110,
    });
    expect(JSON.parse(committed)).toEqual(JSON.parse(generated));
    expect(JSON.parse(committed).properties.kind.enum).toContain('archive');
  });
});
