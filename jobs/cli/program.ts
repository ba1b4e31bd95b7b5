import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { readEnvironment, requireSharedServices } from '../../src/config/index.js';
import { validateFeedFile } from '../../src/pifu/index.js';
import { decideHold, listHolds, listTransfers } from '../../src/transfer/index.js';
import { findOverdueHoldings, forgetPerson, listAudit, recordAudit } from '../../src/privacy/index.js';
import { mutateMunicipality, mutationCategories } from '../../fixtures/generator/index.js';
import { listPersonDisclosures, type DisclosureAnswer } from '../../src/disclosure/index.js';
import { HubError } from '../../src/errors/index.js';
import { queueNames, type QueueName } from '../../src/queue/index.js';
import { migrateRecords, openRuntime } from '../runtime.js';
import { registerBenchCommand } from '../../bench/bench-command.js';
import { installSignalHandlers, startWorkers } from '../workers.js';
import { dryRunExport, formatDryRunReport } from './dry-run-export.js';
import { registerOperatorCommands } from './operator-commands.js';
import { formatTable } from './output.js';
import { terminalProgress } from './progress.js';
import { formatGroupedCategories, groupCategories } from './recipient-profiles.js';
import { registerRecipientsCommand } from './recipients.js';
import { runExport, type FeedReport } from './run-export.js';
import { seedRecordsStore, type SeedScale } from './seed.js';
import { authorize, positiveInteger, withRuntime } from './command-support.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Who is at the keyboard, as the audit trail and the run rows record it. */
const operator = (): string => `cli:${userInfo().username}`;

const percentage = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || parsed > 100) {
    throw new InvalidArgumentError('expected a percentage above 0 and at most 100, e.g. 1 or 0.5');
  }
  return parsed;
};

function printFeeds(feeds: readonly FeedReport[]): void {
  console.log(
    formatTable(
      [
        'recipient',
        'status',
        'type',
        'added',
        'changed',
        'deleted',
        'persons',
        'groups',
        'memberships',
        'bytes',
        'sha-256',
        'seconds',
      ],
      feeds.map((feed) => [
        feed.recipient,
        feed.status,
        feed.type,
        feed.type === 'delta' ? feed.added : '-',
        feed.type === 'delta' ? feed.changed : '-',
        feed.type === 'delta' ? feed.deleted : '-',
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
    [
      'transfer',
      `${answer.transferId} (trigger ${answer.trigger}${answer.reason === null ? '' : `: ${answer.reason}`})`,
    ],
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
        authorize(runtime, 'config-admin');
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
        authorize(runtime, 'config-admin');
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
    .addOption(
      new Option(
        '--mutate <percent>',
        'instead of seeding, apply a deterministic random change set to about PERCENT % of the persons',
      )
        .argParser(percentage)
        .conflicts(['replace', 'scale']),
    )
    .action(async (options: { scale: SeedScale; seed: number; replace: boolean; mutate?: number }) => {
      await withRuntime({}, async (runtime) => {
        authorize(runtime, 'config-admin');
        await migrateRecords(runtime);
        if (options.mutate !== undefined) {
          const report = await mutateMunicipality(runtime.records.db, {
            percent: options.mutate,
            seed: options.seed,
          });
          console.log(
            formatTable(
              ['change', 'count'],
              mutationCategories.map((category) => [category, report[category]]),
            ),
          );
          console.log(`applied ${report.total} changes as of ${report.asOf} (seed ${options.seed})`);
          return;
        }
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
    .addOption(
      new Option(
        '--delta',
        'only what changed since each recipient last acknowledged (full where it holds nothing)',
      )
        .default(false)
        .conflicts('full'),
    )
    .option('--full', 'full feeds: everything each recipient may have (the default)', false)
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
        delta: boolean;
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
          await withRuntime({ readOnly: true }, async (runtime) => {
            authorize(runtime, 'operator');
            const recipientIds = options.all
              ? runtime.recipients.map((recipient) => recipient.id)
              : options.recipient;
            const reports = await dryRunExport(runtime.context, recipientIds);
            await recordAudit(runtime.hub.db, {
              actor: operator(),
              action: 'preview',
              detail: `export --dry-run: ${recipientIds.join(', ')}`,
            });
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
            authorize(runtime, 'operator');
            const recipientIds = options.all
              ? runtime.recipients.map((recipient) => recipient.id)
              : options.recipient;
            const result = await runExport(runtime, {
              recipientIds,
              requestedBy: `cli:${userInfo().username}`,
              detach: options.detach,
              feedType: options.delta ? 'delta' : 'full',
              progress: terminalProgress(runtime.hub.db, { json: options.json }),
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
      await withRuntime({ readOnly: true }, async (runtime) => {
        authorize(runtime, 'viewer');
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
    .command('resync')
    .description(
      'send again part or all of what a recipient holds, as new (recstatus 1): its state for them is forgotten',
    )
    .requiredOption('--recipient <id>', 'the recipient')
    .option('--school <org>', "only this school's groups, memberships and persons (org number or NSR id)")
    .option(
      '--person <key>',
      'only this person and their memberships (internal key, never a national number)',
    )
    .requiredOption('--reason <text>', 'why; logged with the run and shown with its transfers')
    .option('--json', 'print the feed report as JSON', false)
    .action(
      async (options: {
        recipient: string;
        school?: string;
        person?: string;
        reason: string;
        json: boolean;
      }) => {
        await withRuntime({}, async (runtime) => {
          authorize(runtime, 'operator');
          await recordAudit(runtime.hub.db, {
            actor: operator(),
            action: 'resync',
            subject: options.person ?? options.school ?? options.recipient,
            detail: `${options.recipient}: ${options.reason}`,
          });
          const result = await runExport(runtime, {
            recipientIds: [options.recipient],
            requestedBy: operator(),
            feedType: 'delta',
            trigger: 'resync',
            reason: options.reason,
            resync: {
              ...(options.school === undefined ? {} : { school: options.school }),
              ...(options.person === undefined ? {} : { person: options.person }),
            },
          });
          if (options.json) for (const feed of result.feeds) console.log(JSON.stringify(feed));
          else {
            printFeeds(result.feeds);
            console.log(`run ${result.runId} ${result.status}`);
          }
          if (result.status !== 'completed') process.exitCode = 1;
        });
      },
    );

  program
    .command('forget')
    .description(
      'forget a person (R3: erasure or objection): out of every feed from now on, and a delta now to every recipient holding them',
    )
    .requiredOption('--person <key>', "the person's internal key (never a national identity number)")
    .requiredOption('--reason <text>', 'why, e.g. the case number of the request; logged')
    .option('--json', 'print the feed report as JSON', false)
    .action(async (options: { person: string; reason: string; json: boolean }) => {
      await withRuntime({}, async (runtime) => {
        authorize(runtime, 'privacy-admin');
        const { recipientIds } = await forgetPerson(runtime.hub.db, {
          personKey: options.person,
          reason: options.reason,
          by: operator(),
          at: new Date(),
        });
        const configured = recipientIds.filter((id) => runtime.context.recipients.has(id));
        if (configured.length === 0) {
          console.log(`person ${options.person} forgotten; no configured recipient holds them`);
          return;
        }
        const result = await runExport(runtime, {
          recipientIds: configured,
          requestedBy: operator(),
          feedType: 'delta',
          reason: `forget ${options.person}: ${options.reason}`,
        });
        if (options.json) for (const feed of result.feeds) console.log(JSON.stringify(feed));
        else {
          printFeeds(result.feeds);
          console.log(`person ${options.person} forgotten; run ${result.runId} ${result.status}`);
        }
        if (result.status !== 'completed') process.exitCode = 1;
      });
    });

  program
    .command('retention-check')
    .description(
      'R3: persons inactive for longer than N months whom a recipient still holds (exit 1 when any); run it daily',
    )
    .option('--months <n>', 'how long after leaving data may stay', positiveInteger, 3)
    .option('--json', 'one JSON object per holding', false)
    .action(async (options: { months: number; json: boolean }) => {
      await withRuntime({ readOnly: true }, async (runtime) => {
        authorize(runtime, 'privacy-admin');
        const snapshot = await runtime.context.source.openSnapshot();
        let overdue;
        try {
          overdue = await findOverdueHoldings(runtime.hub.db, snapshot.persons(), {
            on: snapshot.properties.snapshotAt.slice(0, 10),
            months: options.months,
            recipients: runtime.recipients,
            scanned: () => snapshot.close(),
          });
        } finally {
          await snapshot.close();
        }
        if (options.json) for (const holding of overdue) console.log(JSON.stringify(holding));
        else if (overdue.length === 0)
          console.log(`no recipient holds anyone inactive for more than ${options.months} months`);
        else {
          console.log(
            formatTable(
              ['recipient', 'person', 'inactive since'],
              overdue.map((holding) => [
                holding.recipientId,
                holding.personKey,
                holding.inactiveSince ?? 'unknown',
              ]),
            ),
          );
        }
        if (overdue.length > 0) process.exitCode = 1;
      });
    });

  program
    .command('audit')
    .description('the operator audit trail (R4): who looked at or moved whose data, newest first')
    .option('--subject <key>', 'only entries about this person key or transfer id')
    .option('--limit <n>', 'at most this many', positiveInteger, 100)
    .option('--json', 'one JSON object per entry', false)
    .action(async (options: { subject?: string; limit: number; json: boolean }) => {
      await withRuntime({ readOnly: true }, async (runtime) => {
        authorize(runtime, 'privacy-admin');
        const entries = await listAudit(runtime.hub.db, {
          limit: options.limit,
          ...(options.subject === undefined ? {} : { subject: options.subject }),
        });
        if (options.json) {
          for (const entry of entries) console.log(JSON.stringify(entry));
          return;
        }
        console.log(
          formatTable(
            ['at', 'actor', 'action', 'subject', 'detail'],
            entries.map((entry) => [
              entry.at.toISOString(),
              entry.actor,
              entry.action,
              entry.subject ?? '-',
              entry.detail ?? '-',
            ]),
          ),
        );
      });
    });

  program
    .command('holds')
    .description('deltas put on hold by a safety threshold, waiting for an operator')
    .option('--all', 'decided holds too', false)
    .option('--json', 'one JSON object per hold', false)
    .action(async (options: { all: boolean; json: boolean }) => {
      await withRuntime({ readOnly: true }, async (runtime) => {
        authorize(runtime, 'viewer');
        const holds = await listHolds(runtime.hub.db, { all: options.all });
        if (options.json) {
          for (const hold of holds) console.log(JSON.stringify(hold));
          return;
        }
        if (holds.length === 0) {
          console.log(options.all ? 'no holds' : 'no undecided holds');
          return;
        }
        console.log(
          formatTable(
            ['transfer', 'recipient', 'held', 'added', 'changed', 'deleted', 'since', 'decision', 'reason'],
            holds.map((hold) => [
              hold.transferId,
              hold.recipientId,
              hold.heldObjects,
              hold.added,
              hold.changed,
              hold.deleted,
              hold.createdAt.toISOString(),
              hold.decision === null ? '-' : `${hold.decision} by ${hold.decidedBy ?? '?'}`,
              hold.reason,
            ]),
          ),
        );
      });
    });

  const hold = program.command('hold').description('decide a held delta');
  for (const decision of ['approve', 'reject'] as const) {
    hold
      .command(decision)
      .description(
        decision === 'approve'
          ? 'deliver exactly the held delta (refused if the recipient received something since)'
          : 'deliver nothing; delivered state stays as it was',
      )
      .argument('<transfer>', 'the held transfer id (see `pifu-hub holds`)')
      .requiredOption('--reason <text>', 'why; logged with the decision')
      .action(async (transferId: string, options: { reason: string }) => {
        await withRuntime({}, async (runtime) => {
          authorize(runtime, 'operator');
          await recordAudit(runtime.hub.db, {
            actor: operator(),
            action: decision === 'approve' ? 'hold-approve' : 'hold-reject',
            subject: transferId,
            detail: options.reason,
          });
          const { hold: decided, delivery } = await decideHold(runtime.context, transferId, {
            decision,
            by: `cli:${userInfo().username}`,
            reason: options.reason,
          });
          console.log(
            `${decided.transferId} ${decided.decision ?? decision} by ${decided.decidedBy ?? '?'}` +
              (delivery === undefined ? '' : `; delivered to ${delivery.location}`),
          );
        });
      });
  }

  program
    .command('disclosures')
    .description(
      "every recipient that received a person's data: when, which categories, which transfer, on what legal basis",
    )
    .requiredOption('--person <key>', "the person's internal key (never a national identity number)")
    .option('--json', 'one JSON object per disclosure', false)
    .action(async (options: { person: string; json: boolean }) => {
      await withRuntime({ readOnly: true }, async (runtime) => {
        authorize(runtime, 'privacy-admin');
        const answers = await listPersonDisclosures(runtime.hub.db, options.person);
        await recordAudit(runtime.hub.db, {
          actor: operator(),
          action: 'disclosures',
          subject: options.person,
        });
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
      const redisUrl = requireSharedServices(readEnvironment(), 'a worker', {
        withoutThem: 'run `pifu-hub export`, which does its own jobs',
      });
      const runtime = await openRuntime();
      const workers = startWorkers(
        runtime.context,
        { redisUrl, prefix: runtime.env.queuePrefix },
        {
          queues: queues as QueueName[],
          concurrency: options.concurrency,
        },
      );
      runtime.logger.info({ queues, concurrency: options.concurrency }, 'worker started');
      // First SIGTERM/SIGINT: take no new jobs, finish the running ones; a second hands them back.
      await installSignalHandlers(workers, runtime.logger);
      await runtime.close();
    });

  registerRecipientsCommand(program);
  registerOperatorCommands(program); // runs, run show, retry, queues, scheduler
  registerBenchCommand(program);
  return program;
}
