import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt, repository } from '../../helpers/built-cli.js';

/** Both binaries, each with arguments that make it exit at once with 0. */
const binaries = [
  { name: 'pifu-hub', args: ['--version'] },
  { name: 'pifu-hub-dev', args: ['--help'] },
] as const;

/**
 * Run as the CLI exits (so after the binary has set the process up): about 30 MB kept alive, a full
 * GC, then about 45 MB more kept alive. V8 prints every GC (--trace-gc), so the heap's size at the next
 * full GC, over the size the forced one left, is the growing factor V8 actually applied.
 */
const growAfterForcedGc = `data:text/javascript,${encodeURIComponent(`
process.on('exit', () => {
  const kept = [];
  const grow = (mb) => {
    for (let i = 0; i < mb; i++) kept.push(Array.from({ length: 25000 }, (_, j) => ({ j })));
  };
  grow(30);
  globalThis.gc();
  grow(45);
});`)}`;

/** The heap's size at the first full GC after the forced one, over what the forced one left. */
async function growthBeforeNextFullGc(
  binary: (typeof binaries)[number],
  nodeFlags: readonly string[],
): Promise<number> {
  const args = [
    '--expose-gc',
    '--trace-gc',
    // A young generation of 1 MB, so the sizes V8 prints are (almost) all old generation.
    '--max-semi-space-size=1',
    ...nodeFlags,
    '--import',
    growAfterForcedGc,
    join(repository, 'bin', `${binary.name}.js`),
    ...binary.args,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  // e.g. "Mark-Compact 32.2 (34.8) -> 31.5 (34.8) MB, … testing; GC in old space requested"
  const fullGcs = [...stdout.matchAll(/Mark-Compact (?:\(reduce\) )?([\d.]+) \([\d.]+\) -> ([\d.]+) .*$/gm)];
  // gc() first finishes any marking under way (itself a full GC, also "testing"): the last one counts.
  const forced = fullGcs.map((gc) => gc[0].includes('testing')).lastIndexOf(true);
  if (forced === -1) throw new Error(`no forced GC in the trace:\n${stdout}`);
  const next = fullGcs[forced + 1];
  // No full GC before the heap grew by 45 MB more: it grew by more than that before collecting.
  return next === undefined ? Infinity : Number(next[1]) / Number(fullGcs[forced]![2]);
}

describe.each(binaries)('heap settings of the $name processes', (binary) => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('collect again when the heap has grown by half of what the last full GC kept', async () => {
    // V8 alone lets it grow to 3–4 times (a full GC past 75 MB, which this never reaches).
    const growth = await growthBeforeNextFullGc(binary, []);
    expect(growth).toBeGreaterThan(1.3);
    expect(growth).toBeLessThan(1.9);
  }, 60_000);

  it("leave node's own --heap-growing-percent alone (0: V8's own choice)", async () => {
    expect(await growthBeforeNextFullGc(binary, ['--heap-growing-percent=0'])).toBeGreaterThan(2.2);
  }, 60_000);
});
