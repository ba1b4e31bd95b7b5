import type { OperatorRole } from '../config/index.js';

/**
 * Who asks for an operation: an OS user at the CLI (`cli:alice`), an API token (`token:ops-board`), or the
 * hub itself (`scheduler`). The face that authenticated them resolves their roles; operations only check.
 */
export interface Actor {
  readonly name: string;
  readonly roles: ReadonlySet<OperatorRole>;
  /** Where the request came from: `local` for the CLI, the client address for the API. */
  readonly source: string;
  /** Said in every refusal: how this actor would get a role it lacks. */
  readonly roleHint: string;
  /**
   * Set for a recipient's own API token: it may fetch and acknowledge that recipient's feeds (pull) and
   * nothing else; it holds no operator role.
   */
  readonly recipientId?: string;
}
