import { z } from 'zod';
import { checkRecipientText, type RecipientChecks } from '../../config/index.js';
import type { Actor } from '../actor.js';
import { audited } from '../audited.js';
import { authorize } from '../authorize.js';
import type { OperationContext } from '../operation-context.js';
import { parseInput } from '../parse-input.js';
import { describeRecipient } from './describe-recipient.js';
import { diffRecipients } from './diff-recipients.js';
import { listRecipients } from './list-recipients.js';
import type { RecipientDescription, RecipientSummary } from './recipient-description.js';
import type { RecipientDiff } from './recipient-diff.js';

/**
 * The recipient queries for a signed-in actor (the API): the same answers as the CLI's, which reads the
 * config files the host lets it read, behind the viewer role here. The CLI's functions take no actor
 * because its guard is the file system; these add the role check the API needs.
 */

/** The live recipient list with what each receives per population (viewer). */
export async function viewRecipients(
  ctx: Pick<OperationContext, 'db' | 'recipients'>,
  actor: Actor,
): Promise<RecipientSummary[]> {
  await authorize(ctx, actor, 'viewer', 'recipients');
  return listRecipients(ctx);
}

/** A recipient description whose contact is withheld from a viewer (it may name a person). */
export type RecipientView = Omit<RecipientDescription, 'contact'> & {
  readonly contact: RecipientDescription['contact'] | null;
};

/** One recipient's effective profile, legal basis and processing (viewer); its contact for operator roles. */
export async function viewRecipient(
  ctx: Pick<OperationContext, 'db' | 'recipients'>,
  actor: Actor,
  input: { recipient: string },
): Promise<RecipientView> {
  await authorize(ctx, actor, 'viewer', 'recipients');
  const description = describeRecipient(ctx, input);
  const seesContact = [...actor.roles].some((role) => role !== 'viewer');
  return seesContact ? description : { ...description, contact: null };
}

/** How two configured recipients differ, key by key (viewer). Files are compared at the CLI only. */
export async function compareRecipients(
  ctx: Pick<OperationContext, 'db' | 'recipients'>,
  actor: Actor,
  input: { a: string; b: string },
): Promise<RecipientDiff> {
  await authorize(ctx, actor, 'viewer', 'recipients');
  return diffRecipients(ctx, { a: input.a, b: input.b });
}

const validateInput = z.strictObject({
  text: z.string().max(1_000_000, 'at most 1 MB'),
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,120}$/, 'a file name: letters, digits, ".", "_" and "-"')
    .default('recipient.json'),
});

export interface RecipientValidation {
  readonly valid: boolean;
  /** The id the config declares, when it parsed. */
  readonly id: string | null;
  /** `file: path: message`, every problem at once. */
  readonly problems: readonly string[];
}

/**
 * Checks a recipient config, sent as JSON text, as the hub would load it from a file of that name, with
 * this environment's transport and path rules (config-admin; nothing is written). Audited: it is a
 * change being prepared.
 */
export async function validateRecipientConfig(
  ctx: Pick<OperationContext, 'db' | 'recipients'>,
  actor: Actor,
  input: { text: string; name?: string },
  checks: RecipientChecks,
): Promise<RecipientValidation> {
  await authorize(ctx, actor, 'config-admin', 'recipients-validate');
  return audited(ctx, actor, 'recipients-validate', async (trail) => {
    const request = parseInput(validateInput, input);
    const result = checkRecipientText(request.text, request.name, checks);
    trail.subject = result.config?.id;
    trail.detail = `${result.problems.length} problems`;
    return {
      valid: result.problems.length === 0,
      id: result.config?.id ?? null,
      problems: result.problems,
    };
  });
}
