import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const common: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };

/**
 * Two validators: the URL's parts (path, query, headers) are text, so they are coerced to the types
 * their schemas name (`?limit=5` is 5); a JSON body already has its types, so it is taken as sent (`7`
 * for a reason is an error, not "7"). Neither drops unknown fields: they are reported, named.
 */
function validator(coerceTypes: boolean) {
  const ajv = new Ajv({ ...common, coerceTypes });
  addFormats.default(ajv);
  return ajv;
}

export function requestValidation(): FastifySchemaCompiler<unknown> {
  const url = validator(true);
  const body = validator(false);
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : url).compile(schema as object);
}
