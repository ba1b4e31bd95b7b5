import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecipientConfig } from '../../../src/config/index.js';
import { describeRecipient, diffRecipients, listRecipients } from '../../../src/operations/index.js';
import { recipient, recipientFile } from '../../helpers/hub-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * The recipients queries read configuration only: no database, no role check (at the CLI the host's file
 * permissions guard the config directory; an API checks the viewer role before calling), so no audit row.
 * What they owe: the effective profile as the feeds apply it, never a secret, and coded refusals.
 */
describe('listRecipients, describeRecipient, diffRecipients', () => {
  const dir = scratchDir('pifu-recipients-');
  const secret = 'not-for-anyone-s-eyes-42';
  const configs: RecipientConfig[] = [
    recipient('lms', 'lms', join(dir, 'lms')),
    recipient('stats', 'analytics', join(dir, 'stats'), {
      profile: { pseudonymise: true },
      pseudonymKey: { env: 'STATS_PSEUDONYM_KEY' },
      feed: { safety: { maxDeletePercent: 2 } },
    }),
    recipient('portal', 'lms', join(dir, 'portal'), {
      relaysTo: ['Feide'],
      override: {
        guardianIdTypes: ['personNIN', 'feideID'],
        reason: 'Guardians sign in to the portal with Feide',
      },
    }),
  ];
  const ctx = { recipients: new Map(configs.map((config) => [config.id, config])) };
  beforeAll(() => {
    process.env['STATS_PSEUDONYM_KEY'] = secret;
  });
  afterAll(() => {
    delete process.env['STATS_PSEUDONYM_KEY'];
  });

  it('lists every recipient with what each population receives', () => {
    const summaries = listRecipients(ctx);
    expect(
      summaries.map((summary) => [summary.id, summary.kind, summary.pseudonymised, summary.override]),
    ).toEqual([
      ['lms', 'lms', false, false],
      ['stats', 'analytics', true, false],
      ['portal', 'lms', false, true],
    ]);
    const stats = summaries.find((summary) => summary.id === 'stats');
    // Pseudonymised: a pseudonym stands in for the name, and no dates or contact data go.
    expect(stats?.receives.map((entry) => entry.population)).toEqual(['pupil', 'staff']);
    for (const entry of stats?.receives ?? []) {
      expect(entry.fields[0]).toBe('pseudonym');
      expect(entry.fields).not.toContain('name');
      expect(entry.idTypes).toEqual([]);
    }
    const portal = summaries.find((summary) => summary.id === 'portal');
    expect(portal?.widenings).toEqual(['guardianIdTypes+feideID']);
    expect(portal?.relaysTo).toEqual(['Feide']);
    expect(portal?.receives.find((entry) => entry.population === 'guardian')?.idTypes).toEqual(
      expect.arrayContaining(['personNIN', 'feideID']),
    );
    expect(JSON.stringify(summaries)).not.toContain(secret);
  });

  it('describes one recipient: purpose, basis, limits and what changed from the default, never a secret', () => {
    const stats = describeRecipient(ctx, { recipient: 'stats' });
    expect(stats).toMatchObject({
      id: 'stats',
      kind: 'analytics',
      purpose: 'Synthetic recipient for the test suite',
      processing: { country: 'NO', eea: true, dpaReference: 'TEST-DPA-1' },
      pseudonymKey: 'env:STATS_PSEUDONYM_KEY',
      override: null,
      transport: { kind: 'file-drop' },
      changedFromDefault: { pseudonymise: 'narrowed' },
    });
    expect(stats.feed.safety).toEqual({ maxDeletePercent: 2, maxChangePercent: 20 });
    expect(JSON.stringify(stats)).not.toContain(secret);
    expect(describeRecipient(ctx, { recipient: 'portal' })).toMatchObject({
      override: {
        reason: 'Guardians sign in to the portal with Feide',
        widenings: ['guardianIdTypes+feideID'],
      },
      changedFromDefault: { guardianIdTypes: 'widened' },
    });
  });

  it('refuses an unknown recipient and a malformed id, naming the field', () => {
    expect(() => describeRecipient(ctx, { recipient: 'nope' })).toThrow(
      expect.objectContaining({
        code: 'PIFU_RECIPIENT_UNKNOWN',
        message: 'PIFU_RECIPIENT_UNKNOWN: no recipient "nope"; configured: lms, stats, portal',
      }),
    );
    expect(() => describeRecipient(ctx, { recipient: '../etc/passwd' })).toThrow(
      expect.objectContaining({
        code: 'PIFU_USAGE_INVALID',
        message: expect.stringContaining('recipient: a recipient id'),
      }),
    );
  });

  it('diffs two recipients key by key; a recipient against itself is identical', () => {
    expect(diffRecipients(ctx, { a: 'lms', b: 'lms' })).toMatchObject({
      identical: true,
      lists: [],
      scalars: [],
    });
    const diff = diffRecipients(ctx, { a: 'lms', b: 'portal' });
    expect(diff.identical).toBe(false);
    expect(diff.lists).toContainEqual({ key: 'guardianIdTypes', onlyA: [], onlyB: ['feideID'] });
    expect(diff.lists).toContainEqual({ key: 'relaysTo', onlyA: [], onlyB: ['Feide'] });
    expect(diff.scalars).toContainEqual({
      key: 'override.reason',
      a: '-',
      b: 'Guardians sign in to the portal with Feide',
    });
    const limits = diffRecipients(ctx, { a: 'lms', b: 'stats' });
    expect(limits.scalars).toContainEqual({ key: 'feed.safety.maxDeletePercent', a: '5', b: '2' });
    expect(limits.scalars).toContainEqual({ key: 'pseudonymKey', a: '-', b: 'env:STATS_PSEUDONYM_KEY' });
    expect(JSON.stringify(limits)).not.toContain(secret);
  });

  it('diffs a configured recipient against a recipient file (a change under review) when files are allowed', () => {
    const file = join(dir, 'lms-next.json');
    writeFileSync(
      file,
      JSON.stringify(
        recipientFile(
          'lms',
          'lms',
          { kind: 'file-drop', directory: join(dir, 'lms') },
          { processing: { country: 'SE', dpaReference: 'TEST-DPA-2' } },
        ),
      ),
    );
    const diff = diffRecipients(ctx, { a: 'lms', b: file, filesAllowed: true });
    expect(diff.scalars).toEqual([
      { key: 'processing.country', a: 'NO', b: 'SE' },
      { key: 'processing.dpaReference', a: 'TEST-DPA-1', b: 'TEST-DPA-2' },
    ]);
    // Without filesAllowed (an API caller), a path is only ever a recipient id, and unknown.
    expect(() => diffRecipients(ctx, { a: 'lms', b: file })).toThrow(
      expect.objectContaining({ code: 'PIFU_RECIPIENT_UNKNOWN' }),
    );
  });

  it('refuses an unknown side and an invalid recipient file with a coded error', () => {
    expect(() => diffRecipients(ctx, { a: 'lms', b: 'nope' })).toThrow(
      expect.objectContaining({ code: 'PIFU_RECIPIENT_UNKNOWN', message: expect.stringContaining('"nope"') }),
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ id: 'bad', kind: 'lms' }));
    expect(() => diffRecipients(ctx, { a: bad, b: 'lms', filesAllowed: true })).toThrow(
      expect.objectContaining({ code: 'PIFU_RECIPIENT_INVALID' }),
    );
  });
});
