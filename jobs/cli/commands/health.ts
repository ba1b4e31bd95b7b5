import { Option, type Command } from 'commander';
import { readEnvironment } from '../../../src/config/environment.js';
import { requireSharedServices } from '../../../src/config/shared-services.js';
import {
  checkProcessHealth,
  defaultHeartbeatMaxAgeMs,
  defaultInstance,
  processRoles,
  type ProcessRole,
} from '../../heartbeat.js';
import { wholeNumber } from '../cli-options.js';

/**
 * `pifu-hub health --role worker|scheduler`: the container health check of the processes without a port
 * (docker-compose.yml). No role needed, like `/readyz`: it reads no personal data and changes nothing.
 */
export function registerHealthCommand(program: Command): void {
  program
    .command('health')
    .description(
      'exit 0 when PostgreSQL and Redis answer and this instance’s worker or scheduler wrote its heartbeat lately',
    )
    .addOption(
      new Option('--role <role>', 'the process to check').choices(processRoles).makeOptionMandatory(),
    )
    .option('--instance <id>', 'the instance the process runs as (default: the host name)')
    .option(
      '--max-age <seconds>',
      'oldest heartbeat accepted (1–3600)',
      wholeNumber({ min: 1, max: 3600 }),
      defaultHeartbeatMaxAgeMs / 1000,
    )
    .action(healthCommand);
}

async function healthCommand(options: {
  role: ProcessRole;
  instance?: string;
  maxAge: number;
}): Promise<void> {
  const env = readEnvironment();
  const redisUrl = requireSharedServices(env, `the ${options.role} health check`, {
    withoutThem: `run no ${options.role} (export does its own jobs)`,
  });
  // requireSharedServices refused the embedded database: this is PostgreSQL's URL.
  const databaseUrl = env.hubDatabase.kind === 'postgres' ? env.hubDatabase.url : '';
  const instance = options.instance ?? defaultInstance();
  const report = await checkProcessHealth({
    databaseUrl,
    redisUrl,
    prefix: env.queuePrefix,
    role: options.role,
    instance,
    maxAgeMs: options.maxAge * 1000,
    recordsUrl: options.role === 'worker' ? env.sourceDatabaseUrl : undefined,
  });
  console.log(
    `ok: ${options.role} "${instance}": PostgreSQL and Redis answer, heartbeat ` +
      `${Math.round(report.heartbeatAgeMs / 1000)} s old`,
  );
}
