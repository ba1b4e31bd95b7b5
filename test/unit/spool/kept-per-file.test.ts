import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeptPerFile } from '../../../src/spool/kept-per-file.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/** What a process keeps for the spool file its readers share: one file's value at a time, never stale. */
describe('a value kept per spool file', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchDir('pifu-kept-per-file-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const counting = () => {
    let made = 0;
    return { make: () => ({ n: ++made }), made: () => made };
  };

  it('makes the value once for a file and hands the same one to every reader', async () => {
    const path = join(dir, 'persons.frames');
    writeFileSync(path, 'a');
    const kept = new KeptPerFile<{ n: number }>();
    const { make, made } = counting();
    const first = await kept.get(path, make);
    expect(await kept.get(path, make)).toBe(first);
    expect(made()).toBe(1);
  });

  it('makes it again for a file written again under the same path, or for another file', async () => {
    const path = join(dir, 'persons.frames');
    const other = join(dir, 'other.frames');
    writeFileSync(path, 'a');
    writeFileSync(other, 'b');
    const kept = new KeptPerFile<{ n: number }>();
    const { make } = counting();
    const first = await kept.get(path, make);
    writeFileSync(path, 'a longer file');
    const rewritten = await kept.get(path, make);
    expect(rewritten).not.toBe(first);
    expect(await kept.get(other, make)).toEqual({ n: 3 });
    // One file at a time: the other file's value replaced the first's.
    expect(await kept.get(path, make)).toEqual({ n: 4 });
  });

  it('lets go on release of its path, or when the value kept is forgotten, and not for another', async () => {
    const path = join(dir, 'persons.frames');
    writeFileSync(path, 'a');
    const kept = new KeptPerFile<{ n: number }>();
    const { make } = counting();
    const first = await kept.get(path, make);
    kept.release(join(dir, 'other.frames'));
    kept.forget({ n: 1 });
    expect(await kept.get(path, make)).toBe(first);
    kept.release(path);
    const second = await kept.get(path, make);
    expect(second).toEqual({ n: 2 });
    kept.forget(second);
    expect(await kept.get(path, make)).toEqual({ n: 3 });
  });
});
