import cron from 'node-cron';
import { HubError } from '../src/errors/index.js';
import { startRun, type HubContext } from '../src/run/index.js';
import { enqueueRun, type QueueConnection } from './workers.js';

/**
 * Fires the nightly full run of every recipient, in Europe/Oslo time. The run id is derived from the
 * slot (`run-nightly-<slot>`), so a second scheduler firing the same slot finds the run already
 * recorded (primary key) and enqueues nothing: two schedulers never double-fire a slot.
 */
export function startScheduler(
  ctx: HubContext,
  connection: QueueConnection,
  options: { expression: string; timezone?: string },
): { stop(): void } {
  if (!cron.validate(options.expression)) {
    throw new HubError('PIFU_CONFIG_INVALID', `schedule "${options.expression}" is not a cron expression`);
  }
  const task = cron.schedule(
    options.expression,
    async (context) => {
      await fireSlot(ctx, connection, context.triggeredAt);
    },
    { timezone: options.timezone ?? 'Europe/Oslo', noOverlap: true },
  );
  return { stop: () => void task.stop() };
}

export async function fireSlot(
  ctx: HubContext,
  connection: QueueConnection,
  firedAt: Date,
): Promise<string | undefined> {
  const slot = new Date(Math.floor(firedAt.getTime() / 60_000) * 60_000);
  const runId = `run-nightly-${slot.toISOString().slice(0, 16).replaceAll('-', '').replace(':', '')}Z`;
  try {
    await startRun(ctx, {
      runId,
      recipientIds: [...ctx.recipients.keys()],
      trigger: 'schedule',
      feedType: 'full',
      requestedBy: 'scheduler',
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      ctx.logger.info({ runId }, 'slot already fired by another scheduler');
      return undefined;
    }
    throw error;
  }
  await enqueueRun(connection, runId, { wait: false });
  return runId;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
