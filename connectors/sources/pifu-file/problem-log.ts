import type { ImportProblem, LenientMode } from '../../../src/ports/index.js';
import { maskIds } from './identity-number.js';

const keptProblems = 200;

/**
 * Problems per rule, and the first few by line; whether the import is refused follows from the modes.
 * Problems arrive mostly in file order, but duplicate memberships are found once the memberships are
 * sorted, so the kept ones are the lowest lines, not the first added.
 */
export class ProblemLog {
  readonly #lenient: ReadonlySet<LenientMode>;
  readonly #kept: { problem: ImportProblem; seq: number }[] = [];
  #seq = 0;
  readonly counts: Partial<Record<LenientMode, number>> = {};
  refused = false;

  constructor(lenient: readonly LenientMode[]) {
    this.#lenient = new Set(lenient);
  }

  /** The first problems in file order (by line; in the order found on one line). */
  get problems(): ImportProblem[] {
    return [...this.#kept]
      .sort((a, b) => a.problem.line - b.problem.line || a.seq - b.seq)
      .map((kept) => kept.problem);
  }

  /** Records a problem; returns true when its mode tolerates it (the caller repairs or drops). */
  add(rule: LenientMode, object: ImportProblem['object'], id: string, line: number, what: string): boolean {
    this.counts[rule] = (this.counts[rule] ?? 0) + 1;
    this.#keep({ rule, object, id: maskIds(id), line, what });
    const tolerated = this.#lenient.has(rule);
    if (!tolerated) this.refused = true;
    return tolerated;
  }

  /**
   * A delta's recstatus 2 (`change`) or 3 (`delete`) for an object the roster does not hold: an
   * `unknown-objects` problem. Returns true when tolerated (a 2 is then taken as an add).
   */
  notInRoster(
    object: ImportProblem['object'],
    id: string,
    line: number,
    change: 'change' | 'delete',
  ): boolean {
    const what = object === 'membership' ? 'a role' : `a ${object}`;
    const verb = change === 'change' ? '2 updates' : object === 'membership' ? '3 removes' : '3 deletes';
    return this.add(
      'unknown-objects',
      object,
      id,
      line,
      `recstatus ${verb} ${what} the roster does not hold`,
    );
  }

  #keep(problem: ImportProblem): void {
    const kept = { problem, seq: this.#seq++ };
    if (this.#kept.length < keptProblems) {
      this.#kept.push(kept);
      return;
    }
    let latest = 0;
    for (let index = 1; index < this.#kept.length; index++) {
      if (this.#kept[index]!.problem.line >= this.#kept[latest]!.problem.line) latest = index;
    }
    if (problem.line < this.#kept[latest]!.problem.line) this.#kept[latest] = kept;
  }
}
