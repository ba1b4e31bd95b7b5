import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecipientConfig } from '../../src/config/index.js';
import { HubError } from '../../src/errors/index.js';
import { previewFeed, type FeedPreview, type MaskedPerson } from '../../src/feed/preview-feed.js';
import { pseudonymSecret } from '../../src/feed/pseudonym-secret.js';
import { viewThroughProfile } from '../../src/profiles/index.js';
import { forgottenPersons } from '../../src/privacy/index.js';
import type { HubContext } from '../../src/run/index.js';
import { openRosterSpool, writeRosterSpool } from '../../src/spool/index.js';
import { formatTable } from './output.js';

export interface DryRunReport extends FeedPreview {
  readonly recipient: string;
  readonly kind: string;
  readonly dryRun: true;
  /**
   * A pseudonymised recipient with no key yet: the hub creates and keeps one at its first real export.
   * The preview used a throwaway key, so the sample's pseudonyms are not the ones it will get.
   */
  readonly provisionalPseudonyms?: true;
}

/**
 * `pifu-hub export --dry-run`: what each recipient would get from the source right now, without a run,
 * feed, transfer or disclosure row, a feed file, or a delivery. The source is read once, from one
 * snapshot, into a scratch spool under the spool directory (where personal data is meant to rest),
 * which is removed before this returns, whatever happens.
 */
export async function dryRunExport(
  ctx: Pick<HubContext, 'db' | 'source' | 'recipients' | 'spoolDir'>,
  recipientIds: readonly string[],
  options: { sampleSize?: number; signal?: AbortSignal } = {},
): Promise<DryRunReport[]> {
  const recipients = recipientsFor(ctx.recipients, recipientIds);
  await mkdir(ctx.spoolDir, { recursive: true });
  const scratch = await mkdtemp(join(ctx.spoolDir, 'dry-run-'));
  try {
    const rosterDir = join(scratch, 'roster');
    const snapshot = await ctx.source.openSnapshot(options.signal ? { signal: options.signal } : {});
    try {
      await writeRosterSpool(snapshot, rosterDir, options.signal ? { signal: options.signal } : {});
    } finally {
      await snapshot.close();
    }
    const roster = await openRosterSpool(rosterDir);
    const reports: DryRunReport[] = [];
    const forgotten = await forgottenPersons(ctx.db);
    for (const recipient of recipients) {
      const profile = recipient.resolvedProfile;
      const key = profile.pseudonymise ? await previewPseudonymKey(ctx, recipient) : undefined;
      const view = await viewThroughProfile(roster, profile, {
        forgotten,
        ...(key === undefined ? {} : { pseudonymKey: key.secret }),
      });
      const preview = await previewFeed(view, {
        roster,
        profile,
        ...(options.sampleSize === undefined ? {} : { sampleSize: options.sampleSize }),
      });
      reports.push({
        recipient: recipient.id,
        kind: recipient.kind,
        dryRun: true,
        ...(key?.provisional === true ? { provisionalPseudonyms: true as const } : {}),
        ...preview,
      });
    }
    return reports;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function recipientsFor(
  configured: ReadonlyMap<string, RecipientConfig>,
  recipientIds: readonly string[],
): RecipientConfig[] {
  const known = [...configured.keys()].join(', ');
  if (recipientIds.length === 0) {
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `no recipient chosen; name one with --recipient or use --all (configured: ${known})`,
    );
  }
  const unknown = recipientIds.filter((id) => !configured.has(id));
  if (unknown.length > 0) {
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `no recipient "${unknown.join('", "')}"; configured: ${known}`,
    );
  }
  return recipientIds.map((id) => configured.get(id)!);
}

/**
 * The pseudonym key a real export would use, read without writing: a configured one, or the one the
 * hub keeps; when it keeps none yet, a throwaway (a dry run must not create one).
 */
async function previewPseudonymKey(
  ctx: Pick<HubContext, 'db'>,
  recipient: RecipientConfig,
): Promise<{ secret: Uint8Array; provisional: boolean }> {
  if (recipient.pseudonymKey !== undefined) {
    return { secret: await pseudonymSecret(ctx.db, recipient), provisional: false };
  }
  const row = await ctx.db
    .selectFrom('hub.pseudonym_secret')
    .select('secret')
    .where('recipient_id', '=', recipient.id)
    .executeTakeFirst();
  return row === undefined
    ? { secret: randomBytes(32), provisional: true }
    : { secret: row.secret, provisional: false };
}

function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '(none)' : entries.map(([key, count]) => `${key} ${count}`).join(', ');
}

function formatSamplePerson(person: MaskedPerson): string {
  const parts = [
    person.name,
    person.bday === undefined ? undefined : `bday ${person.bday}`,
    person.gender === undefined ? undefined : `gender ${person.gender}`,
    person.status === undefined ? undefined : `status ${person.status}`,
    person.lang === undefined ? undefined : `lang ${person.lang}`,
    ...person.identifiers,
    ...person.emails,
    ...person.phones,
    ...person.addresses,
    person.guardianLinks === 0 ? undefined : `guardianLinks ${person.guardianLinks}`,
  ].filter((part) => part !== undefined);
  return `  ${person.key}: ${parts.join('; ')}`;
}

/** A dry run for a terminal: totals, then per-field, per-group-type and per-role counts, then the sample. */
export function formatDryRunReport(report: DryRunReport): string {
  const lines = [
    `${report.recipient} (${report.kind}): dry run of snapshot ${report.snapshotAt}; nothing was written, delivered or recorded`,
    `persons ${report.counts.persons}, groups ${report.counts.groups}, memberships ${report.counts.memberships}`,
  ];
  if (report.personsByPopulation !== undefined) {
    lines.push(`persons by registered population: ${formatCounts(report.personsByPopulation)}`);
  }
  if (report.unmatchedSchools.length > 0) {
    lines.push(
      `warning: the profile names schools the source does not have: ${report.unmatchedSchools.join(', ')}`,
    );
  }
  lines.push(
    '',
    formatTable(['disclosed field', 'persons'], Object.entries(report.disclosedFields)),
    '',
    formatTable(['group type', 'groups'], Object.entries(report.groupsByType)),
    '',
    formatTable(['roletype', 'memberships'], Object.entries(report.membershipsByRole)),
    '',
    `sample: ${report.sample.length} person${report.sample.length === 1 ? '' : 's'}, values masked` +
      (report.provisionalPseudonyms === true
        ? ' (pseudonyms from a throwaway key: the real key is made at the first export)'
        : ''),
    ...report.sample.map(formatSamplePerson),
  );
  return lines.join('\n');
}
