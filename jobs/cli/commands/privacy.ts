import { Option, type Command } from 'commander';
import {
  checkRetention,
  forgetPerson,
  groupCategories,
  listAudit,
  listDisclosures,
} from '../../../src/operations/index.js';
import { limitOption, wholeNumber } from '../cli-options.js';
import { emit, withSession } from '../cli-session.js';
import { formatDisclosure } from '../format-disclosure.js';
import { formatFeeds } from '../format-feeds.js';
import { formatTable } from '../output.js';

/** `forget`, `disclosures`, `audit`, `retention-check`: what a privacy admin answers for (R3, R4). */
export function registerPrivacyCommands(program: Command): void {
  program
    .command('forget')
    .description(
      'forget a person (R3: erasure or objection): out of every feed from now on, and a delta now to every recipient holding them',
    )
    .requiredOption('--person <key>', "the person's hub key (never a national identity number)")
    .requiredOption('--reason <text>', 'why, e.g. the case number of the request; logged')
    .option('--json', 'print the feed report as JSON', false)
    .action(async (options: { person: string; reason: string; json: boolean }) => {
      await withSession({}, async ({ ops, actor }) => {
        const result = await forgetPerson(ops, actor, { person: options.person, reason: options.reason });
        const run = result.run;
        if (run === undefined) {
          emit(
            options.json,
            { personKey: result.personKey, holders: [] },
            () => `person ${result.personKey} forgotten; no configured recipient holds them`,
          );
          return;
        }
        emit(
          options.json,
          run.feeds,
          () =>
            `${formatFeeds(run.feeds)}\nperson ${result.personKey} forgotten; run ${run.runId} ${run.status}`,
        );
        if (run.status !== 'completed') process.exitCode = 1;
      });
    });

  program
    .command('disclosures')
    .description(
      "every recipient that received a person's data: when, which categories, which transfer, on what legal basis",
    )
    .requiredOption('--person <key>', "the person's hub key (never a national identity number)")
    .option('--json', 'one JSON object per disclosure', false)
    .action(async (options: { person: string; json: boolean }) => {
      await withSession({ readOnly: true }, async ({ ops, actor }) => {
        const { personKey, disclosures } = await listDisclosures(ops, actor, { person: options.person });
        emit(
          options.json,
          disclosures.map((answer) => {
            const grouped = groupCategories(answer.categories);
            return { ...answer, categoryGroups: grouped.groups, memberships: grouped.memberships };
          }),
          () =>
            disclosures.length === 0
              ? `no disclosures recorded for person ${personKey}`
              : disclosures.map(formatDisclosure).join('\n\n'),
        );
      });
    });

  program
    .command('retention-check')
    .description(
      'R3: persons inactive for longer than N months whom a recipient still holds, and what the hub keeps past its retention policy (exit 1 when any); run it daily',
    )
    .option(
      '--months <n>',
      'how long after leaving data may stay (1–120)',
      wholeNumber({ min: 1, max: 120 }),
      3,
    )
    .option('--json', 'one JSON object per holding', false)
    .action(async (options: { months: number; json: boolean }) => {
      await withSession({ readOnly: true }, async ({ ops, actor }) => {
        const { overdue, hub } = await checkRetention(ops, actor, { months: options.months });
        const hubOverdue = hub.runs + hub.feedFiles + hub.disclosureTransfers;
        if (options.json) {
          emit(true, overdue, () => '');
          emit(true, { hub }, () => '');
        } else {
          console.log(
            overdue.length === 0
              ? `no recipient holds anyone inactive for more than ${options.months} months`
              : formatTable(
                  ['recipient', 'person', 'inactive since'],
                  overdue.map((holding) => [
                    holding.recipientId,
                    holding.personKey,
                    holding.inactiveSince ?? 'unknown',
                  ]),
                ),
          );
          console.log(
            hubOverdue === 0
              ? 'the hub keeps nothing past its retention policy'
              : `the hub keeps past its policy: ${hub.runs} run snapshots/manifests, ${hub.feedFiles} feed files, ` +
                  `${hub.disclosureTransfers} transfers' disclosure rows; run \`pifu-hub retention run\``,
          );
          if (hub.keptForHolds > 0)
            console.log(`${hub.keptForHolds} runs kept until their holds are decided`);
        }
        if (overdue.length > 0 || hubOverdue > 0) process.exitCode = 1;
      });
    });

  program
    .command('audit')
    .description(
      'the operator audit trail (R4): who looked at or moved whose data, and how it ended, newest first',
    )
    .option('--person <key>', 'only entries about this person (hub key)')
    .addOption(
      new Option('--subject <id>', 'only entries about this transfer, run or recipient id').conflicts(
        'person',
      ),
    )
    .option(...limitOption)
    .option('--json', 'one JSON object per entry', false)
    .action(async (options: { person?: string; subject?: string; limit: number; json: boolean }) => {
      await withSession({ readOnly: true }, async ({ ops, actor }) => {
        const entries = await listAudit(ops, actor, {
          limit: options.limit,
          ...(options.person === undefined ? {} : { person: options.person }),
          ...(options.subject === undefined ? {} : { subject: options.subject }),
        });
        emit(options.json, entries, () =>
          formatTable(
            ['at', 'actor', 'action', 'outcome', 'subject', 'detail'],
            entries.map((entry) => [
              entry.at.toISOString(),
              entry.actor,
              entry.action,
              entry.outcome,
              entry.subject ?? '-',
              entry.detail ?? '-',
            ]),
          ),
        );
      });
    });
}
