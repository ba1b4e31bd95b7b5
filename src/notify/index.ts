export { type NotificationDigest } from './events.js';
export { notifyOperators, type NotifyOutcome } from './notify-operators.js';
export { describeEvent, digestSubject } from './describe.js';
