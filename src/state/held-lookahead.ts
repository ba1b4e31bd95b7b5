import { compareKeys } from '../model/index.js';
import type { HeldObject } from './held-object.js';

/**
 * One stream of held objects read by two in step: `find` looks a key up just ahead of the delta merge,
 * which then reads the same objects, in order, from `stream` — so what a recipient holds is read once.
 * Keys asked of `find` must ascend, and the merge must not be behind them by more than the merge's own
 * one object of look-ahead (it reads a key's held object only after `find` was asked for it); both hold
 * for the person stream of a delta, where `find` is asked for each person in view before the merge
 * takes it. Memory: the held objects between two consecutive keys asked (the deletes among them).
 */
export class HeldLookahead {
  readonly #source: AsyncIterator<HeldObject>;
  /** Read by `find`, not yet by `stream`. */
  #pending: HeldObject[] = [];
  #last: HeldObject | undefined;
  #done = false;

  constructor(held: AsyncIterable<HeldObject>) {
    this.#source = held[Symbol.asyncIterator]();
  }

  /** The held object of `key`, or undefined when the recipient holds none under it. */
  async find(key: string): Promise<HeldObject | undefined> {
    while (!this.#done && (this.#last === undefined || compareKeys(this.#last.key, key) < 0)) {
      const next = await this.#pull();
      if (next !== undefined) this.#pending.push(next);
    }
    return this.#last?.key === key ? this.#last : undefined;
  }

  async *stream(): AsyncGenerator<HeldObject> {
    for (;;) {
      if (this.#pending.length > 0) {
        const pending = this.#pending;
        this.#pending = [];
        yield* pending;
        continue;
      }
      const next = await this.#pull();
      if (next === undefined) return;
      yield next;
    }
  }

  async #pull(): Promise<HeldObject | undefined> {
    if (this.#done) return undefined;
    const next = await this.#source.next();
    if (next.done === true) {
      this.#done = true;
      return undefined;
    }
    this.#last = next.value;
    return next.value;
  }
}
