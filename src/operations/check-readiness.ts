import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { OperationContext } from './operation-context.js';

export type ReadinessCheck = 'ok' | 'failed' | 'not configured';

export interface Readiness {
  readonly ready: boolean;
  readonly database: ReadinessCheck;
  /** `not configured` without REDIS_URL: runs then use a private queue or none. */
  readonly queue: ReadinessCheck;
  readonly spool: ReadinessCheck;
}

/**
 * Whether this process can do its work now: the hub database answers, the shared queue answers, and
 * the spool directory takes a file. Anyone may ask (a load balancer, a container health check), so the
 * answer says which check failed and nothing more; why goes to the log.
 */
export async function checkReadiness(
  ctx: Pick<OperationContext, 'db' | 'queues' | 'spoolDir' | 'logger'>,
): Promise<Readiness> {
  const check = async (name: string, probe: () => Promise<unknown>): Promise<ReadinessCheck> => {
    try {
      await probe();
      return 'ok';
    } catch (error) {
      ctx.logger.warn(
        { check: name, err: error instanceof Error ? error.message : String(error) },
        'not ready',
      );
      return 'failed';
    }
  };
  const [database, queue, spool] = await Promise.all([
    check('database', () => sql`SELECT 1`.execute(ctx.db)),
    ctx.queues === undefined ? ('not configured' as const) : check('queue', () => ctx.queues!.counts()),
    check('spool', async () => {
      await mkdir(ctx.spoolDir, { recursive: true, mode: 0o700 });
      const probe = join(ctx.spoolDir, `.ready-${randomBytes(6).toString('hex')}`);
      await writeFile(probe, '', { mode: 0o600 });
      await rm(probe);
    }),
  ]);
  return { ready: [database, queue, spool].every((c) => c !== 'failed'), database, queue, spool };
}
