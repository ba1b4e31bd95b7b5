import { join } from 'node:path';

/** Where a run keeps its roster snapshot and its feed files inside the shared spool directory. */
export function runSpoolPaths(spoolDir: string, runId: string) {
  const runDir = join(spoolDir, 'runs', runId);
  return {
    runDir,
    rosterDir: join(runDir, 'roster'),
    feedPath: (recipientId: string) => join(runDir, 'feeds', `${recipientId}.xml`),
  };
}
