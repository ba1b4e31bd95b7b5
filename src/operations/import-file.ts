import { basename } from 'node:path';
import { z } from 'zod';
import { HubError } from '../errors/index.js';
import { lenientModes, type ImportReport, type LenientMode, type RosterFile } from '../ports/index.js';
import { runSpoolPaths } from '../run/run-paths.js';
import { writeRosterSpool } from '../spool/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { recordAndExecuteRun } from './execute-run.js';
import { describeTally, tallyImport } from './import-tally.js';
import type { OperationContext } from './operation-context.js';
import { reasonSchema } from './input-schemas.js';
import { parseInput } from './parse-input.js';
import { previewRecipients, type ExportPreview } from './preview-export.js';
import { selectRecipients } from './recipient-selection.js';
import type { RunObserver, RunReport } from './run-report.js';

const importInput = z.strictObject({
  path: z.string().min(1).max(4096),
  dryRun: z.boolean().default(false),
  /** Mode names, or `all`. */
  lenient: z.array(z.enum([...lenientModes, 'all'])).default([]),
  feedType: z.enum(['full', 'delta']).default('delta'),
  detach: z.boolean().default(false),
  /**
   * The operator confirms a drop the source guard would stop (with why): a switch of school system is
   * one, since another system's ids are other objects (every school gone, every person new).
   */
  acceptSourceDrop: z.strictObject({ reason: reasonSchema }).optional(),
});
export type ImportInput = z.input<typeof importInput>;

export interface ImportResult {
  readonly report: ImportReport;
  /** `--dry-run`: what each recipient's feed would be. */
  readonly previews?: readonly ExportPreview[];
  /** A real import: the run it became. */
  readonly run?: RunReport;
}

function refusal(report: ImportReport): HubError {
  const rules = Object.entries(report.problemCounts)
    .filter(([rule]) => !report.lenient.includes(rule as LenientMode))
    .map(([rule, count]) => `${rule} ${count}`)
    .join(', ');
  return new HubError(
    'PIFU_IMPORT_REFUSED',
    `${report.file.path}: problems not tolerated (${rules}); nothing was imported. ` +
      '`pifu-hub import FILE --dry-run` lists them per object; allow one with --lenient MODE',
  );
}

/** The import's audit detail: the file, and its report in counts (never a value from it). */
function describe(report: ImportReport, dryRun: boolean): string {
  return (
    `${dryRun ? 'dry run of ' : ''}${basename(report.file.path)} sha-256 ${report.file.sha256.slice(0, 16)}: ` +
    `${report.feedType === 'delta' ? `delta on run ${report.base?.runId ?? '-'}, ` : ''}` +
    describeTally(tallyImport(report))
  );
}

/**
 * `import FILE` (operator): a PIFU export from a school system as the source of one run; a delta export is
 * applied to the roster the system's last committed import left, and that roster is the run's. The file is
 * read and checked first (docs/cli.md#pifu-hub-import); a file with a problem its lenient modes do not
 * tolerate is refused before anything is recorded. Then it is a run like any other: the file's roster
 * becomes the run's snapshot in the spool, the hub keys it introduced are kept with the run, and every
 * configured recipient gets its feed or delta, transfers and disclosures as from any source; the roster
 * is kept, in the same transaction, as the base of the system's next delta.
 * `dryRun` writes nothing: it reports the file and what each recipient's feed would be.
 */
export async function importFile(
  ctx: OperationContext,
  actor: Actor,
  input: ImportInput,
  options: { observer?: RunObserver; signal?: AbortSignal } = {},
): Promise<ImportResult> {
  await authorize(ctx, actor, 'operator', 'import');
  return audited(ctx, actor, 'import', async (trail) => {
    const request = parseInput(importInput, input);
    if (ctx.rosterFiles === undefined) {
      throw new HubError('PIFU_CONFIG_INVALID', 'this process reads no PIFU files; use the pifu-hub command');
    }
    const lenient = request.lenient.includes('all')
      ? [...lenientModes]
      : [...new Set(request.lenient as LenientMode[])];
    trail.detail = `${request.dryRun ? 'dry run of ' : ''}${basename(request.path)}`;
    const file = await ctx.rosterFiles.read(request.path, {
      lenient,
      scratchDir: ctx.spoolDir,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    try {
      const { report } = file;
      trail.detail = describe(report, request.dryRun);
      const recipients = selectRecipients(ctx, { all: true });
      if (request.dryRun) {
        if (report.refused) return { report };
        const snapshot = await file.source.openSnapshot();
        const previews = await previewRecipients({ ...ctx, source: file.source }, recipients, snapshot, {
          feedType: request.feedType,
          sampleSize: 0,
        });
        return { report, previews };
      }
      if (report.refused) throw refusal(report);
      await file.prepare();
      const run = await recordAndExecuteRun(
        ctx,
        trail,
        {
          recipientIds: recipients.map((recipient) => recipient.id),
          trigger: 'operator',
          feedType: request.feedType,
          requestedBy: actor.name,
          reason: `import of ${basename(report.file.path)} (sha-256 ${report.file.sha256.slice(0, 16)})`,
          ...(request.acceptSourceDrop === undefined ? {} : { acceptSourceDrop: request.acceptSourceDrop }),
        },
        {
          detach: request.detach,
          observer: options.observer,
          inTransaction: (trx, runId) => file.commit(trx, runId),
          beforeExecute: (runId) => spoolFile(ctx, file, runId),
        },
      );
      return { report, run };
    } finally {
      await file.close();
    }
  });
}

/** The file's roster as the run's snapshot: the snapshot step finds it complete and uses it (D7). */
async function spoolFile(ctx: OperationContext, file: RosterFile, runId: string): Promise<void> {
  const snapshot = await file.source.openSnapshot();
  try {
    await writeRosterSpool(snapshot, runSpoolPaths(ctx.spoolDir, runId).rosterDir);
  } finally {
    await snapshot.close();
  }
}
