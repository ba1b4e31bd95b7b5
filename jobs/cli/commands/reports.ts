import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { readConfiguration } from '../../runtime.js';
import {
  HubError,
  renderAccessReport,
  renderRecipientsReport,
  reportAccess,
  reportLanguages,
  reportRecipients,
  writePrivateFile,
  type AccessReportFormat,
  type RecipientsReportFormat,
  type ReportLanguage,
} from '../../../src/operations/index.js';
import { withSession } from '../cli-session.js';

/** Writes a report to `--out` (0600, it may hold personal data) or stdout. */
async function output(content: string | Buffer, out: string | undefined): Promise<void> {
  if (out === undefined) {
    process.stdout.write(content);
    return;
  }
  const written = await writePrivateFile(resolve(out), [content]);
  process.stderr.write(`wrote ${written.path} (${written.sizeBytes} bytes, sha-256 ${written.sha256Hex})\n`);
}

const langOption = () =>
  new Option('--lang <lang>', 'nb (bokmål) or en').choices([...reportLanguages]).default('nb');

/** `report access` (Art. 15) and `report recipients` (the live list a privacy declaration publishes). */
export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('answers for data subjects and the public (R5)');
  report
    .command('access')
    .description(
      'GDPR Art. 15: what the hub holds about a person and every disclosure by recipient, for the person to read (privacy-admin, audited)',
    )
    .requiredOption('--person <key>', "the person's hub key (never a national identity number)")
    .addOption(langOption())
    .addOption(
      new Option('--format <format>', 'html, pdf or json').choices(['html', 'pdf', 'json']).default('html'),
    )
    .option('--values', "include the person's values from the school system, not only categories", false)
    .option('--out <file>', 'write to this file (0600) instead of stdout')
    .action(
      async (options: {
        person: string;
        lang: ReportLanguage;
        format: AccessReportFormat;
        values: boolean;
        out?: string;
      }) => {
        if (options.format === 'pdf' && options.out === undefined && process.stdout.isTTY) {
          throw new HubError('PIFU_USAGE_INVALID', '--format pdf writes a binary file: add --out FILE');
        }
        await withSession({}, async ({ ops, actor }) => {
          const answer = await reportAccess(ops, actor, { person: options.person, values: options.values });
          await output(await renderAccessReport(answer, options), options.out);
        });
      },
    );

  report
    .command('recipients')
    .description(
      'the live list of recipients: purpose, legal basis, data per population, identifiers, country, relays (reads configuration only)',
    )
    .addOption(langOption())
    .addOption(
      new Option('--format <format>', 'md, html or json').choices(['md', 'html', 'json']).default('md'),
    )
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options: { lang: ReportLanguage; format: RecipientsReportFormat; out?: string }) => {
      const recipients = readConfiguration().recipients();
      const answer = reportRecipients({
        recipients: new Map(recipients.map((recipient) => [recipient.id, recipient])),
        now: () => new Date(),
      });
      await output(renderRecipientsReport(answer, options), options.out);
    });
}
