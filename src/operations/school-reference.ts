import { HubError } from '../errors/index.js';
import { classifySchoolReference } from '../model/index.js';
import type { OperationContext } from './operation-context.js';

/**
 * Checks an operator's school reference (organisation number or NSR id) and that the source has the
 * school now; returns the reference as typed, normalised, for the run to record.
 */
export async function resolveSchoolReference(
  ctx: Pick<OperationContext, 'source'>,
  text: string,
): Promise<string> {
  const reference = classifySchoolReference(text);
  if (reference.kind === 'invalid') {
    throw new HubError(
      'PIFU_USAGE_INVALID',
      `school: ${reference.why}; use the school's organisation number or NSR id`,
    );
  }
  if ((await ctx.source.lookup.findSchool(reference.value)) === undefined) {
    throw new HubError(
      'PIFU_SCHOOL_UNKNOWN',
      `school: the source has no school with ${reference.kind === 'nsr-id' ? 'NSR id' : 'organisation number'} ` +
        `${reference.value}; \`pifu-hub recipients show ID\` lists the schools in a recipient's profile`,
    );
  }
  return reference.value;
}
