import type { ImportProblem, LenientMode } from '../../../src/ports/index.js';
import { maskIds } from './identity-number.js';

const keptProblems = 200;

/** Problems per rule, the first few in file order; whether the import is refused follows from the modes. */
export class ProblemLog {
  readonly #lenient: ReadonlySet<LenientMode>;
  readonly problems: ImportProblem[] = [];
  readonly counts: Partial<Record<LenientMode, number>> = {};
  refused = false;

  constructor(lenient: readonly LenientMode[]) {
    this.#lenient = new Set(lenient);
  }

  /** Records a problem; returns true when its mode tolerates it (the caller repairs or drops). */
  add(rule: LenientMode, object: ImportProblem['object'], id: string, line: number, what: string): boolean {
    this.counts[rule] = (this.counts[rule] ?? 0) + 1;
    if (this.problems.length < keptProblems)
      this.problems.push({ rule, object, id: maskIds(id), line, what });
    const tolerated = this.#lenient.has(rule);
    if (!tolerated) this.refused = true;
    return tolerated;
  }
}
