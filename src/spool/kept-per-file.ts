import { stat } from 'node:fs/promises';

/**
 * One value made from one spool file and kept for it, for one file at a time: what a process shares
 * across the readers of a run's spool (its decoded groups, its persons' record digests). Keyed by the
 * file's path and identity (device, inode, size, change time), so a file written again under the same
 * path (a retried snapshot) gets a new value, never a stale one; another file's value replaces it.
 */
export class KeptPerFile<T> {
  #kept: { readonly path: string; readonly identity: string; readonly value: T } | undefined;

  /** The value kept for the file at `path`, made by `make` when none is kept for it as it is now. */
  async get(path: string, make: () => T): Promise<T> {
    const stats = await stat(path, { bigint: true });
    const identity = `${stats.dev}:${stats.ino}:${stats.size}:${stats.ctimeNs}`;
    if (this.#kept?.path !== path || this.#kept.identity !== identity) {
      this.#kept = { path, identity, value: make() };
    }
    return this.#kept.value;
  }

  /** Lets go of the value kept for the file at `path`, if it is the one kept. */
  release(path: string): void {
    if (this.#kept?.path === path) this.#kept = undefined;
  }

  /** Lets go of `value` if it is still the one kept (a value that turned out unusable). */
  forget(value: T): void {
    if (this.#kept?.value === value) this.#kept = undefined;
  }
}
