import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { validateFeedFile } from '../../src/pifu/index.js';
import { listTransfers } from '../../src/transfer/index.js';
import { listPersonDisclosures, type DisclosureAnswer } from '../../src/disclosure/index.js';
import { HubError } from '../../src/errors/index.js';
import { queueNames, type QueueName } from '../../src/queue/index.js';
import { migrateRecords, openRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';
import { registerBenchCommand } from '../../bench/bench-command.js';
import { startScheduler } from '../scheduler.js';
import { startWorkers } from '../workers.js';
import { dryRunExport, formatDryRunReport } from './dry-run-export.js';
import { formatTable } from './output.js';
import { formatGroupedCategories, groupCategories } from './recipient-profiles.js';
import { registerRecipientsCommand } from './recipients.js';
import { runExport, type FeedReport } from './run-export.js';
import { seedRecordsStore, type SeedScale } from './seed.js';

/** Interactive commands log only warnings unless LOG_LEVEL says otherwise; workers log at info. */
const quietEnv = (): NodeJS.ProcessEnv => ({ LOG_LEVEL: 'warn', ...process.env });

async function withRuntime<T>(options: RuntimeOptions, use: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime({ env: quietEnv(), ...options });
  try {
    return await use(runtime);
  } finally {
    await runtime.close();
  }
}

const positiveInteger = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return parsed;
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function printFeeds(feeds: readonly FeedReport[]): void {
  console.log(
    formatTable(
      ['recipient', 'status', 'persons', 'groups', 'memberships', 'bytes', 'sha-256', 'seconds'],
      feeds.map((feed) => [
        feed.recipient,
        feed.status,
        feed.persons,
        feed.groups,
        feed.memberships,
        feed.bytes,
        feed.sha256?.slice(0, 16) ?? '-',
        feed.seconds.toFixed(2),
      ]),
    ),
  );
  for (const feed of feeds) if (feed.error !== null) console.error(`${feed.recipient}: ${feed.error}`);
}

/** One disclosure for a reader: when, to whom, why (legal basis, override), which categories. */
function formatDisclosure(answer: DisclosureAnswer): string {
  const pairs: [string, string][] = [
    ['transfer', `${answer.transferId} (trigger ${answer.trigger})`],
    ['categories', formatGroupedCategories(groupCategories(answer.categories))],
    ['legal basis', answer.legalBasis ?? '-'],
  ];
  if (answer.purpose !== null) pairs.push(['purpose', answer.purpose]);
  if (answer.overrideReason !== null) {
    pairs.push([
      'override',
      answer.widenings.length === 0
        ? answer.overrideReason
        : `${answer.overrideReason} (widens ${answer.widenings.join(', ')})`,
    ]);
  }
  if (answer.relaysTo.length > 0) pairs.push(['relays to', answer.relaysTo.join(', ')]);
  if (answer.sha256Hex !== null) pairs.push(['sha-256', answer.sha256Hex]);
  const width = Math.max(...pairs.map(([label]) => label.length));
  return [
    `${answer.disclosedAt.toISOString()}  ${answer.recipientId}`,
    ...pairs.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
  ].join('\n');
}

export function buildProgram(): Command {
  const program = new Command('pifu-hub')
    .description('Roster data from the records store to each recipient as a PIFU-IMS 1.3 feed, accountably.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('demo')
    .description(
      'migrate, seed a small synthetic municipality, export every recipient into ./out/ and summarise',
    )
    .option('--out <dir>', 'where the file drops go', 'out')
    .option('--scale <scale>', 'tiny, small or oslo', 'small')
    .option('--seed <n>', 'generator seed', positiveInteger, 7)
    .action(async (options: { out: string; scale: SeedScale; seed: number }) => {
      await withRuntime({ outDir: resolve(options.out) }, async (runtime) => {
        await migrateRecords(runtime);
        const seeded = await seedRecordsStore(runtime, {
          scale: options.scale,
          seed: options.seed,
          replace: true,
        });
        console.log(
          `seeded ${options.scale} municipality (seed ${options.seed}) in ${seeded.seconds.toFixed(1)} s: ` +
            `${seeded.persons} persons, ${seeded.groups} groups, ${seeded.memberships} memberships`,
        );
        const result = await runExport(runtime, {
          recipientIds: runtime.recipients.map((recipient) => recipient.id),
          requestedBy: `demo:${userInfo().username}`,
        });
        printFeeds(result.feeds);
        console.log(
          `run ${result.runId} ${result.status}; feeds are in ${resolve(options.out)}/<recipient>/`,
        );
        if (result.status !== 'completed') process.exitCode = 1;
      });
    });

  program
    .command('migrate')
    .description('create or update the hub schema and the reference records store schema')
    .action(async () => {
      await withRuntime({}, async (runtime) => {
        await migrateRecords(runtime);
        console.log('hub and records store schemas are up to date');
      });
    });

  program
    .command('seed')
    .description(
      'fill the records store with a deterministic synthetic municipality (synthetic persons only)',
    )
    .addOption(
      new Option('--scale <scale>', 'size of the municipality')
        .choices(['tiny', 'small', 'oslo'])
        .default('small'),
    )
    .option('--seed <n>', 'generator seed: the same seed gives the same data', positiveInteger, 7)
    .option('--replace', 'empty the records store first', false)
    .action(async (options: { scale: SeedScale; seed: number; replace: boolean }) => {
      await withRuntime({}, async (runtime) => {
        await migrateRecords(runtime);
        const seeded = await seedRecordsStore(runtime, options);
        console.log(
          `seeded ${options.scale} (seed ${options.seed}) in ${seeded.seconds.toFixed(1)} s: ${seeded.persons} persons, ` +
            `${seeded.groups} groups, ${seeded.memberships} memberships`,
        );
      });
    });

  program
    .command('export')
    .description('write and deliver full feeds now, through the queues (or in-process without Redis)')
    .option('--recipient <id>', 'a recipient to export to (repeatable)', collect, [])
    .option('--all', 'every configured recipient', false)
    .option('--full', 'full feeds (the only kind so far; deltas come with delivered state)', true)
    .option(
      '--out <dir>',
      'deliver to a file drop under DIR/<recipient-id>/ instead of the configured transports',
    )
    .option('--json', 'print one JSON object per feed instead of a table', false)
    .option('--detach', 'enqueue the run for the worker pool and return at once', false)
    .addOption(
      new Option(
        '--dry-run',
        'read the source and print what each recipient would get (counts, a masked sample); ' +
          'no run, feed file, transfer, delivery or disclosure',
      )
        .default(false)
        .conflicts(['out', 'detach']),
    )
    .action(
      async (options: {
        recipient: string[];
        all: boolean;
        out?: string;
        json: boolean;
        detach: boolean;
        dryRun: boolean;
      }) => {
        if (!options.all && options.recipient.length === 0) {
          throw new HubError(
            'PIFU_RECIPIENT_UNKNOWN',
            'choose recipients with --recipient ID (repeatable) or --all',
          );
        }
        if (options.all && options.recipient.length > 0) {
          throw new HubError('PIFU_CONFIG_INVALID', 'use either --recipient ID … or --all, not both');
        }
        if (options.dryRun) {
          await withRuntime({}, async (runtime) => {
            const recipientIds = options.all
              ? runtime.recipients.map((recipient) => recipient.id)
              : options.recipient;
            const reports = await dryRunExport(runtime.context, recipientIds);
            if (options.json) {
              for (const report of reports) console.log(JSON.stringify(report));
            } else {
              console.log(reports.map(formatDryRunReport).join('\n\n'));
            }
          });
          return;
        }
        await withRuntime(
          options.out === undefined ? {} : { outDir: resolve(options.out) },
          async (runtime) => {
            const recipientIds = options.all
              ? runtime.recipients.map((recipient) => recipient.id)
              : options.recipient;
            const result = await runExport(runtime, {
              recipientIds,
              requestedBy: `cli:${userInfo().username}`,
              detach: options.detach,
            });
            if (options.detach) {
              console.log(
                options.json
                  ? JSON.stringify({ runId: result.runId, status: result.status })
                  : `enqueued ${result.runId}`,
              );
              return;
            }
            if (options.json) {
              for (const feed of result.feeds) console.log(JSON.stringify(feed));
            } else {
              printFeeds(result.feeds);
              console.log(`run ${result.runId} ${result.status}`);
            }
            if (result.status !== 'completed') process.exitCode = 1;
          },
        );
      },
    );

  program
    .command('validate')
    .description('check PIFU-IMS files against the official 1.3 XSD')
    .argument('<file...>', 'XML files to check')
    .action(async (files: string[]) => {
      let invalid = 0;
      for (const file of files) {
        const result = await validateFeedFile(resolve(file));
        if (result.valid) {
          console.log(`${file}: valid`);
        } else {
          invalid++;
          console.log(`${file}: INVALID`);
          for (const error of result.errors.slice(0, 20)) console.log(`  ${error}`);
          if (result.errors.length > 20) console.log(`  … ${result.errors.length - 20} more`);
        }
      }
      if (invalid > 0) process.exitCode = 1;
    });

  program
    .command('transfers')
    .description('list transfers, newest first')
    .option('--recipient <id>', 'only this recipient')
    .option('--limit <n>', 'at most this many', positiveInteger, 50)
    .option('--json', 'one JSON object per transfer', false)
    .action(async (options: { recipient?: string; limit: number; json: boolean }) => {
      await withRuntime({}, async (runtime) => {
        const transfers = await listTransfers(runtime.hub.db, {
          limit: options.limit,
          ...(options.recipient === undefined ? {} : { recipientId: options.recipient }),
        });
        if (options.json) {
          for (const transfer of transfers) console.log(JSON.stringify(transfer));
          return;
        }
        console.log(
          formatTable(
            ['transfer', 'recipient', 'type', 'trigger', 'status', 'persons', 'bytes', 'delivered at'],
            transfers.map((t) => [
              t.id,
              t.recipientId,
              t.feedType,
              t.trigger,
              t.status,
              t.persons ?? 0,
              t.sizeBytes ?? 0,
              t.deliveredAt?.toISOString() ?? '-',
            ]),
          ),
        );
      });
    });

  program
    .command('disclosures')
    .description(
      "every recipient that received a person's data: when, which categories, which transfer, on what legal basis",
    )
    .requiredOption('--person <key>', "the person's internal key (never a national identity number)")
    .option('--json', 'one JSON object per disclosure', false)
    .action(async (options: { person: string; json: boolean }) => {
      await withRuntime({}, async (runtime) => {
        const answers = await listPersonDisclosures(runtime.hub.db, options.person);
        if (options.json) {
          for (const answer of answers) {
            const grouped = groupCategories(answer.categories);
            console.log(
              JSON.stringify({ ...answer, categoryGroups: grouped.groups, memberships: grouped.memberships }),
            );
          }
          return;
        }
        if (answers.length === 0) {
          console.log(`no disclosures recorded for person ${options.person}`);
          return;
        }
        console.log(answers.map(formatDisclosure).join('\n\n'));
      });
    });

  program
    .command('worker')
    .description('take run, feed and deliver jobs from the shared queues until SIGTERM/SIGINT')
    .option('--concurrency <n>', 'jobs at once per queue', positiveInteger, 2)
    .option('--queues <names>', 'comma-separated: run,feed,deliver', 'run,feed,deliver')
    .action(async (options: { concurrency: number; queues: string }) => {
      const queues = options.queues.split(',').map((name) => name.trim());
      const unknown = queues.filter((name) => !Object.values(queueNames).includes(name as QueueName));
      if (unknown.length > 0)
        throw new HubError(
          'PIFU_CONFIG_INVALID',
          `--queues: unknown queue "${unknown.join(', ')}"; known: run, feed, deliver`,
        );
      const runtime = await openRuntime();
      const redisUrl = await runtime.queueUrl();
      if (redisUrl === undefined || runtime.env.redisUrl === undefined) {
        await runtime.close();
        throw new HubError('PIFU_QUEUE_UNAVAILABLE', 'a worker needs a shared Redis: set REDIS_URL');
      }
      const workers = startWorkers(
        runtime.context,
        { redisUrl, prefix: runtime.env.queuePrefix },
        {
          queues: queues as QueueName[],
          concurrency: options.concurrency,
        },
      );
      runtime.logger.info({ queues, concurrency: options.concurrency }, 'worker started');
      await new Promise<void>((resolveStop) => {
        const stop = (): void => resolveStop();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      runtime.logger.info('worker stopping');
      await workers.close();
      await runtime.close();
    });

  program
    .command('scheduler')
    .description('enqueue a full run of every recipient on a cron schedule (Europe/Oslo), once per slot')
    .option('--cron <expression>', 'when to fire, in Europe/Oslo time', '0 2 * * *')
    .action(async (options: { cron: string }) => {
      const runtime = await openRuntime();
      if (runtime.env.redisUrl === undefined) {
        await runtime.close();
        throw new HubError(
          'PIFU_QUEUE_UNAVAILABLE',
          'the scheduler enqueues for a worker pool: set REDIS_URL',
        );
      }
      const scheduler = startScheduler(
        runtime.context,
        { redisUrl: runtime.env.redisUrl, prefix: runtime.env.queuePrefix },
        { expression: options.cron },
      );
      runtime.logger.info({ cron: options.cron, timezone: 'Europe/Oslo' }, 'scheduler started');
      await new Promise<void>((resolveStop) => {
        process.once('SIGTERM', () => resolveStop());
        process.once('SIGINT', () => resolveStop());
      });
      scheduler.stop();
      await runtime.close();
    });

  registerRecipientsCommand(program);
  registerBenchCommand(program);
  return program;
}
