// A process of its own, run by spool-thread.test.ts on the BUILT code (dist/): a worker thread runs
// compiled JavaScript only. Spools one snapshot of the records store at PIFU_SPOOL_THREAD.url three
// ways and prints one JSON line: with the groups and memberships in a worker thread, in this thread
// alone, and with a worker whose snapshot cannot be opened (what it threw).
import { join } from 'node:path';
import { createRecordsDbSource } from '../../../../dist/connectors/sources/records-db/index.js';
import { openDatabase } from '../../../../dist/src/db/index.js';
import { writeRosterSpool } from '../../../../dist/src/spool/index.js';

const { url, dir } = JSON.parse(process.env.PIFU_SPOOL_THREAD ?? '{}');
const database = await openDatabase({ kind: 'postgres', url });
try {
  const source = createRecordsDbSource(database.db, {}, { pool: database.pool });
  const snapshot = await source.openSnapshot();
  try {
    const inWorker = await writeRosterSpool(snapshot, join(dir, 'two'));
    const alone = await writeRosterSpool({ ...snapshot, shared: undefined }, join(dir, 'one'));
    const broken = {
      ...snapshot.shared,
      data: { ...snapshot.shared.data, snapshotId: '00000003-0000DEAD-1' },
    };
    const failed = await writeRosterSpool({ ...snapshot, shared: broken }, join(dir, 'broken')).then(
      () => undefined,
      (error) => ({ name: error.name, message: error.message }),
    );
    process.stdout.write(`${JSON.stringify({ inWorker, alone, failed })}\n`);
  } finally {
    await snapshot.close();
  }
} finally {
  await database.close();
}
