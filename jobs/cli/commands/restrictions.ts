import type { Command } from 'commander';
import { restrictPerson, unrestrictPerson } from '../../../src/operations/index.js';
import { collect } from '../cli-options.js';
import { emit, withSession } from '../cli-session.js';
import { formatFeeds } from '../format-feeds.js';

interface RestrictionOptions {
  person: string;
  recipient?: string[];
  all: boolean;
  reason: string;
  json: boolean;
}

const choice = (options: RestrictionOptions) => ({
  person: options.person,
  reason: options.reason,
  ...(options.all ? { all: true } : {}),
  ...(options.recipient === undefined ? {} : { recipients: options.recipient }),
});

/** `restrict`, `unrestrict`: GDPR Art. 18, a person kept out of chosen recipients' feeds for a while. */
export function registerRestrictionCommands(program: Command): void {
  program
    .command('restrict')
    .description(
      "restrict a person (GDPR Art. 18): out of the chosen recipients' feeds until unrestrict, deleted now where held",
    )
    .requiredOption('--person <key>', "the person's hub key (never a national identity number)")
    .option('--recipient <id>', 'a recipient to keep them from (repeatable)', collect)
    .option('--all', 'every recipient, including ones configured later', false)
    .requiredOption('--reason <text>', 'why, e.g. the case number of the request; logged')
    .option('--json', 'print the result as JSON', false)
    .action(async (options: RestrictionOptions) => {
      await withSession({}, async ({ ops, actor }) => {
        const result = await restrictPerson(ops, actor, choice(options));
        const what = `person ${result.personKey} restricted for ${result.restricted.join(', ')}`;
        const run = result.run;
        emit(options.json, result, () =>
          run === undefined
            ? `${what}; no chosen recipient holds them`
            : `${formatFeeds(run.feeds)}\n${what}; deleted where held (run ${run.runId} ${run.status})`,
        );
        if (run !== undefined && run.status !== 'completed') process.exitCode = 1;
      });
    });

  program
    .command('unrestrict')
    .description("lift a person's restriction: they come back with each recipient's next feed")
    .requiredOption('--person <key>', "the person's hub key")
    .option('--recipient <id>', 'lift the restriction for this recipient (repeatable)', collect)
    .option('--all', 'lift every restriction of the person', false)
    .requiredOption('--reason <text>', 'why; logged')
    .option('--json', 'print the result as JSON', false)
    .action(async (options: RestrictionOptions) => {
      await withSession({}, async ({ ops, actor }) => {
        const result = await unrestrictPerson(ops, actor, choice(options));
        emit(options.json, result, () =>
          [
            `lifted the restriction of person ${result.personKey} for ${result.lifted.join(', ')}; ` +
              'they come back with the next feed',
            ...(result.stillRestricted.length === 0
              ? []
              : [`still restricted for ${result.stillRestricted.join(', ')}`]),
          ].join('\n'),
        );
      });
    });
}
