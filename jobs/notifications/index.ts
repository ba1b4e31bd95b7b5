import type { NotificationSettings } from '../../src/config/index.js';
import type { Logger } from '../../src/log/index.js';
import { notifyOperators, type NotifyOutcome } from '../../src/notify/index.js';
import type { NotificationChannel, QueueInspector } from '../../src/ports/index.js';
import type { HubContext } from '../../src/run/index.js';
import { emailChannel } from './email.js';
import { webhookChannel } from './webhook.js';

/** The channels this environment configures (PIFU_HUB_NOTIFY_*); none when nothing is set. */
function notificationChannels(settings: NotificationSettings): NotificationChannel[] {
  return [
    ...(settings.webhook === undefined ? [] : [webhookChannel(settings.webhook)]),
    ...(settings.mail === undefined ? [] : [emailChannel(settings.mail)]),
  ];
}

/** Dead letters looked at per queue on each tick. */
const deadLettersPerQueue = 50;

/**
 * The scheduler's notification tick, or undefined when no channel is configured: what src/notify decides
 * to tell, sent through this environment's webhook and mail server.
 */
export function operatorNotifier(options: {
  readonly ctx: HubContext;
  readonly settings: NotificationSettings;
  readonly hub: string;
  readonly queues: QueueInspector | undefined;
  readonly logger: Logger;
  readonly channels?: readonly NotificationChannel[];
}): ((at: Date) => Promise<NotifyOutcome>) | undefined {
  const channels = options.channels ?? notificationChannels(options.settings);
  if (channels.length === 0) return undefined;
  const { queues } = options;
  return (at) =>
    notifyOperators({
      db: options.ctx.db,
      logger: options.logger,
      channels,
      hub: options.hub,
      recipientIds: [...options.ctx.recipients.keys()],
      staleHours: options.settings.staleHours,
      ...(queues === undefined ? {} : { deadLetters: () => queues.deadLetters(deadLettersPerQueue) }),
      at,
    });
}
