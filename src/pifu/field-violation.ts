import { HubError } from '../errors/index.js';

export type PifuObjectKind = 'properties' | 'person' | 'group' | 'membership';

/**
 * Raised deep inside a renderer, where the object's key is not at hand; the object's renderer turns it
 * into a HubError naming the key. It carries the field and the rule, never the value: values are
 * personal data (docs/requirements.md#c4).
 */
export class FieldViolation extends Error {
  readonly field: string;

  constructor(field: string, rule: string) {
    super(`${field} ${rule}`);
    this.field = field;
    this.name = 'FieldViolation';
  }
}

export function toModelInvalid(kind: PifuObjectKind, key: string, error: unknown): unknown {
  if (!(error instanceof FieldViolation)) return error;
  return new HubError(
    'PIFU_MODEL_INVALID',
    `${kind} ${JSON.stringify(key)}: ${error.message}; fix the record in the source, the feed was not written`,
    { cause: error },
  );
}
