/**
 * What a recipient's delivered state is exactly the view of, once a feed is acknowledged (or an empty
 * delta confirmed it): the run whose spool the view was computed from, the code that computed it
 * (hub version and projection version, as in a person's input hash) and when the forgotten and
 * restricted persons it left out were read. A later delta with the same profile and scope day, whose
 * excluded persons did not change since `at`, differs from that view only where the two spools do
 * (src/feed/incremental-delta.ts). Kept as JSON in `recipient_state.view_basis`.
 */
export interface ViewBasis {
  readonly runId: string;
  readonly code: string;
  /** ISO 8601: when the view's forgotten and restricted persons were read. */
  readonly at: string;
}

export function formatViewBasis(basis: ViewBasis | undefined): string | null {
  return basis === undefined ? null : JSON.stringify({ runId: basis.runId, code: basis.code, at: basis.at });
}

/** The basis stored, or undefined when there is none or it is not one (then nothing is assumed). */
export function parseViewBasis(text: string | null | undefined): ViewBasis | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<ViewBasis>;
    return typeof value.runId === 'string' && typeof value.code === 'string' && typeof value.at === 'string'
      ? { runId: value.runId, code: value.code, at: value.at }
      : undefined;
  } catch {
    return undefined;
  }
}
