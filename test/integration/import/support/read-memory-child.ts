// A process of its own that reads one PIFU file as `import` does and prints what it kept (run by
// read-memory.test.ts with --expose-gc, through the fault tests' TypeScript hooks).
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createPifuFileReader } from '../../../../connectors/sources/pifu-file/index.js';
import { openDatabase, type HubDatabase } from '../../../../src/db/index.js';
import { defaultInputLimits } from '../../../../src/pifu/index.js';
import { lenientModes } from '../../../../src/ports/index.js';
import { writeRosterSpool } from '../../../../src/spool/index.js';

const {
  file,
  url,
  scratch,
  sampleMs = 200,
} = JSON.parse(process.env['PIFU_READ_MEMORY'] ?? '{}') as {
  file: string;
  url: string;
  scratch: string;
  /** How often the heap is measured during the read (each a full collection). */
  sampleMs?: number;
};
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

/** Heap used after a full collection: what is kept, not garbage the collector has yet to reach. */
function retained(): number {
  gc!();
  return process.memoryUsage().heapUsed;
}

/**
 * What is kept on the heap and in ArrayBuffers, where the reader's byte tables are (Buffers): taken at
 * the end of the read, when no file chunk is in flight. The peak is taken of the heap alone, as 1 MiB
 * chunks of the file come and go between samples.
 */
function retainedWithBuffers(): number {
  const heap = retained();
  return heap + process.memoryUsage().arrayBuffers;
}

const database = await openDatabase<HubDatabase>({ kind: 'postgres', url });
const work = await mkdtemp(join(scratch, 'read-'));
const before = retained();
const beforeWithBuffers = retainedWithBuffers();
let peak = before;
// Between the reader's awaits (a file chunk, a scratch write) the timer takes the heap's measure.
const sampler = setInterval(() => (peak = Math.max(peak, retained())), sampleMs);
try {
  const reader = createPifuFileReader({
    db: database.db,
    limits: defaultInputLimits,
    sourceName: 'pifu-hub',
  });
  const read = await reader.read(file, { lenient: [...lenientModes], scratchDir: work });
  const afterReadWithBuffers = retainedWithBuffers();
  const afterRead = retained();
  const snapshot = await read.source.openSnapshot();
  const counts = await writeRosterSpool(snapshot, join(work, 'roster'));
  await read.close();
  peak = Math.max(peak, afterRead, retained());
  process.stdout.write(
    `${JSON.stringify({
      persons: counts.persons,
      memberships: counts.memberships,
      problems: read.report.problemCounts,
      keptAfterRead: afterReadWithBuffers - beforeWithBuffers,
      peakKept: peak - before,
      peakRss: process.resourceUsage().maxRSS * 1024,
    })}\n`,
  );
} finally {
  clearInterval(sampler);
  await rm(work, { recursive: true, force: true });
  await database.close();
}
