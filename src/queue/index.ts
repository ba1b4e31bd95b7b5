export {
  findFreePort,
  findRedisServer,
  pingRedis,
  startEmbeddedRedis,
  waitForRedis,
  type EmbeddedRedis,
} from './embedded-redis.js';
export {
  jobIds,
  jobNames,
  queueNames,
  type DeliverJobData,
  type FeedJobData,
  type QueueName,
  type RunJobData,
} from './queues.js';
