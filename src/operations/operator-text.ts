import type { TransferStatus } from '../db/index.js';
import type { Actor } from './actor.js';

/**
 * What a viewer sees is status: counts, outcomes, ids, times (R4). Text an operator typed — a reason for
 * a resync, a forget, a hold decision, an accepted source drop — may say more than that (a case, which
 * person asked to be forgotten), so only the roles that act on data (operator, privacy-admin) read it; a
 * viewer gets this in its place. Applies to every face, CLI and API alike.
 */
const withheldText = '[withheld: needs the operator or privacy-admin role]';

function readsOperatorText(actor: Actor): boolean {
  return actor.roles.has('operator') || actor.roles.has('privacy-admin');
}

/** A free-text field as the actor may see it. */
export function operatorText<T extends string | null>(actor: Actor, text: T): T | string {
  return text === null || readsOperatorText(actor) ? text : withheldText;
}

/** A transfer's error: generated for every status but `rejected`, which quotes the operator's reason. */
export function transferError(actor: Actor, status: TransferStatus, error: string | null): string | null {
  return status === 'rejected' ? operatorText(actor, error) : error;
}
