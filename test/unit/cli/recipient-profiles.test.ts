import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateRecipientFiles } from '../../../jobs/cli/commands/recipients.js';
import { formatFieldCategories, formatGroupedCategories } from '../../../jobs/cli/format-categories.js';
import { formatRecipientDiff } from '../../../jobs/cli/format-recipients.js';
import { groupCategories } from '../../../src/disclosure/index.js';
import {
  changesFromDefault,
  describeRecipient,
  populationDisclosures,
} from '../../../src/operations/recipients/recipient-description.js';
import { diffRecipients } from '../../../src/operations/recipients/recipient-diff.js';
import {
  loadRecipientConfigs,
  parseRecipientConfig,
  type RecipientConfig,
} from '../../../src/config/index.js';
import { kindDefaults } from '../../../src/profiles/index.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const fixtures = loadRecipientConfigs(new URL('../../../fixtures/recipients/', import.meta.url).pathname);
const fixture = (id: string): RecipientConfig => fixtures.find((config) => config.id === id)!;

const base = {
  id: 'test-lms',
  name: 'Test LMS',
  kind: 'lms',
  purpose: 'A learning platform for the test suite',
  legalBasis: 'GDPR Art. 6(1)(e); opplæringslova',
  processing: { country: 'NO', dpaReference: 'DPA-1' },
  contact: { name: 'Drift', email: 'drift@example.org' },
  transport: { kind: 'file-drop', directory: 'out/test-lms' },
};

function config(extra: Record<string, unknown> = {}): RecipientConfig {
  const { config: parsed, problems } = parseRecipientConfig({ ...base, ...extra }, 'test.json');
  if (parsed === undefined) throw new Error(problems.join('\n'));
  return parsed;
}

describe('what a recipient receives per population', () => {
  it('lists effective fields and id types per population, guardians included when sent', () => {
    expect(populationDisclosures(fixture('skoleplattform-messaging').resolvedProfile)).toEqual([
      {
        population: 'pupil',
        fields: ['name', 'mobile.private', 'guardianLinks'],
        idTypes: ['username', 'sisID', 'feideID'],
      },
      { population: 'staff', fields: ['name', 'mobile.private'], idTypes: ['username', 'sisID', 'feideID'] },
      {
        population: 'guardian',
        fields: ['name', 'email.private', 'mobile.private', 'guardianLinks'],
        idTypes: ['personNIN'],
      },
    ]);
  });

  it('shows a pseudonym instead of a name, and no ids, for a pseudonymised recipient', () => {
    expect(populationDisclosures(fixture('conexus-engage').resolvedProfile)).toEqual([
      { population: 'pupil', fields: ['pseudonym', 'gender'], idTypes: [] },
      { population: 'staff', fields: ['pseudonym'], idTypes: [] },
    ]);
  });

  it('lists no population for a groups-only recipient', () => {
    expect(populationDisclosures(fixture('gsi-udir').resolvedProfile)).toEqual([]);
    expect(populationDisclosures(fixture('sommerskolen').resolvedProfile)).toEqual([]);
  });

  it('groups field keys by category', () => {
    expect(formatFieldCategories(['name', 'bday', 'email.org', 'adr.registered', 'guardianLinks'])).toBe(
      'identity: name, bday; contact: email.org; address: adr.registered; relations: guardianLinks',
    );
    expect(formatFieldCategories(['pseudonym', 'gender'])).toBe('identity: pseudonym, gender');
    expect(formatFieldCategories([])).toBe('(none)');
  });
});

describe('changes from the kind default', () => {
  it('marks an override widening and a narrowing', () => {
    expect(changesFromDefault(fixture('skoleplattform-messaging'))).toEqual({ guardianIdTypes: 'widened' });
    expect(changesFromDefault(fixture('sommerskolen'))).toEqual({ populations: 'narrowed' });
    expect(changesFromDefault(fixture('conexus-engage'))).toEqual({ pseudonymise: 'narrowed' });
    expect(changesFromDefault(fixture('itslearning'))).toEqual({});
  });

  it('marks a list both narrowed and widened, and a widened scalar', () => {
    const changed = config({
      profile: { fields: ['name', 'email.org'] },
      override: {
        fields: ['bday'],
        guardians: 'viaPupils',
        reason: 'The platform needs birthdays for age checks',
      },
    });
    expect(changesFromDefault(changed)).toEqual({ fields: 'narrowed and widened', guardians: 'widened' });
  });
});

describe('recipients show', () => {
  it('describes where a pseudonym key comes from, never the key, and no transport settings but the kind', () => {
    const described = describeRecipient(
      config({
        profile: { pseudonymise: true, guardians: 'none' },
        pseudonymKey: { env: 'TEST_LMS_PSEUDONYM_KEY' },
        transport: { kind: 'file-drop', directory: '/srv/drop/secret-place', password: 'hunter2' },
      }),
    );
    expect(described.pseudonymKey).toBe('env:TEST_LMS_PSEUDONYM_KEY');
    expect(described.transport).toEqual({ kind: 'file-drop' });
    const text = JSON.stringify(described);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('secret-place');
    expect(describeRecipient(config({ pseudonymKey: { file: '/run/secrets/key' } })).pseudonymKey).toBe(
      'file:/run/secrets/key',
    );
    expect(describeRecipient(fixture('conexus-engage')).pseudonymKey).toBe(
      'generated (kept in the hub database)',
    );
    expect(describeRecipient(fixture('websak')).pseudonymKey).toBeNull();
  });

  it('carries the override reason with its widenings, and the profile as resolved', () => {
    const described = describeRecipient(fixture('skoleplattform-messaging'));
    expect(described.override).toEqual({
      reason:
        'Guardians log in to Portalen and Skolemelding with ID-porten, which identifies them by national identity number',
      widenings: ['guardianIdTypes+personNIN'],
    });
    expect(described.profile).toEqual({ ...kindDefaults.sms, guardianIdTypes: ['personNIN'] });
    expect(described.processing).toEqual({ country: 'NO', eea: true, dpaReference: 'OSLO-UDE-DPA-2023-015' });
  });
});

describe('recipients diff', () => {
  it('reports nothing for a recipient against itself', () => {
    expect(diffRecipients(fixture('websak'), fixture('websak'))).toEqual({
      a: 'websak',
      b: 'websak',
      lists: [],
      scalars: [],
      identical: true,
    });
    expect(formatRecipientDiff(diffRecipients(fixture('websak'), fixture('websak')))).toBe(
      'websak (A) vs websak (B): no differences',
    );
  });

  it('gives, per list key, what only A and only B have, and per scalar key both values', () => {
    const diff = diffRecipients(fixture('skole-sms'), fixture('skoleplattform-messaging'));
    expect(diff.identical).toBe(false);
    expect(diff.lists).toEqual([
      { key: 'guardianIdTypes', onlyA: [], onlyB: ['personNIN'] },
      { key: 'override.widenings', onlyA: [], onlyB: ['guardianIdTypes+personNIN'] },
    ]);
    expect(diff.scalars.map((scalar) => scalar.key)).toEqual([
      'purpose',
      'processing.dpaReference',
      'override.reason',
    ]);
    expect(diff.scalars.find((scalar) => scalar.key === 'override.reason')?.a).toBe('-');
  });

  it('compares legal basis, country, kind and scalar profile keys', () => {
    const a = config();
    const b = config({
      id: 'other-lms',
      legalBasis: 'GDPR Art. 6(1)(a): consent',
      processing: { country: 'SE', dpaReference: 'DPA-1' },
      profile: { guardians: 'none', levels: [8, 9, 10] },
      relaysTo: ['Microsoft 365'],
    });
    const diff = diffRecipients(a, b);
    expect(diff.scalars).toEqual([
      { key: 'legalBasis', a: 'GDPR Art. 6(1)(e); opplæringslova', b: 'GDPR Art. 6(1)(a): consent' },
      { key: 'processing.country', a: 'NO', b: 'SE' },
      { key: 'guardians', a: 'consentedViaPupils', b: 'none' },
      { key: 'levels', a: 'all', b: '8, 9, 10' },
    ]);
    expect(diff.lists).toEqual([{ key: 'relaysTo', onlyA: [], onlyB: ['Microsoft 365'] }]);
    const kinds = diffRecipients(fixture('websak'), fixture('ruter-reisekort'));
    expect(kinds.scalars).toContainEqual({ key: 'kind', a: 'archive', b: 'transport' });
    expect(kinds.scalars).toContainEqual({ key: 'pupilScope', a: 'all', b: 'transportRight' });
    expect(kinds.lists).toContainEqual({ key: 'fields', onlyA: ['status'], onlyB: [] });
  });

  it('compares the feed settings: accepted types, heartbeat, safety limits and freeze windows', () => {
    const diff = diffRecipients(
      config(),
      config({
        feed: {
          accepts: ['full'],
          safety: { maxDeletePercent: 2 },
          freeze: [{ from: '2025-05-01', to: '2025-05-10', reason: 'national tests' }],
        },
      }),
    );
    expect(diff.lists).toEqual([
      { key: 'feed.accepts', onlyA: ['delta'], onlyB: [] },
      { key: 'feed.freeze', onlyA: [], onlyB: ['2025-05-01..2025-05-10 (national tests)'] },
    ]);
    expect(diff.scalars).toEqual([{ key: 'feed.safety.maxDeletePercent', a: '5', b: '2' }]);
  });

  it('prints two lines per key, A above B', () => {
    const text = formatRecipientDiff(
      diffRecipients(fixture('skole-sms'), fixture('skoleplattform-messaging')),
    );
    expect(text.split('\n')).toEqual([
      'skole-sms (A) vs skoleplattform-messaging (B): 5 keys differ',
      expect.stringMatching(/^purpose {18}A: Text messages from schools/),
      expect.stringMatching(/^ {25}B: Messages and notices/),
      'processing.dpaReference  A: OSLO-UDE-DPA-2022-044',
      '                         B: OSLO-UDE-DPA-2023-015',
      'override.reason          A: -',
      expect.stringMatching(/^ {25}B: Guardians log in/),
      'guardianIdTypes          only A: (none)',
      '                         only B: personNIN',
      'override.widenings       only A: (none)',
      '                         only B: guardianIdTypes+personNIN',
    ]);
  });
});

describe('disclosure categories', () => {
  it('groups stored categories into identity, contact, address, relations, identifiers and memberships', () => {
    const grouped = groupCategories([
      'name',
      'bday',
      'email.private',
      'adr.postal',
      'guardianLinks',
      'id:personNIN',
      'id:sisID',
      'memberships',
    ]);
    expect(grouped).toEqual({
      groups: {
        identity: ['name', 'bday'],
        contact: ['email.private'],
        address: ['adr.postal'],
        relations: ['guardianLinks'],
        identifiers: ['personNIN', 'sisID'],
      },
      memberships: true,
    });
    expect(formatGroupedCategories(grouped)).toBe(
      'identity: name, bday; contact: email.private; address: adr.postal; relations: guardianLinks; identifiers: personNIN, sisID; memberships',
    );
    expect(groupCategories(['pseudonym', 'gender', 'mystery'])).toEqual({
      groups: { identity: ['pseudonym', 'gender'], other: ['mystery'] },
      memberships: false,
    });
  });
});

describe('recipients validate', () => {
  function files(contents: Record<string, unknown>): string[] {
    const dir = scratchDir('recipients-validate-');
    return Object.entries(contents).map(([name, content]) => {
      writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
      return join(dir, name);
    });
  }

  it('prints ok per valid file and each problem as file: path: message', () => {
    const paths = files({
      'a.json': base,
      'b.json': '{ not json',
      'c.json': { ...base, id: 'c', processing: { country: 'US', dpaReference: 'X' } },
      'd.json': base,
      'e.json': { ...base, id: 'e', transport: { kind: 'carrier-pigeon' } },
      'f.json': { ...base, id: 'f', profile: { fields: ['name', 'healthNotes'] } },
    });
    const result = validateRecipientFiles(paths);
    expect(result).toEqual({
      files: 6,
      invalid: 5,
      lines: [
        'a.json: ok',
        expect.stringMatching(/^b\.json: \(root\): not valid JSON \(/),
        'c.json: processing.country: "US" is not an EU/EEA country (ISO 3166-1 alpha-2): the hub refuses to transfer roster data outside the EU/EEA (docs/requirements.md#r6)',
        'd.json: id: "test-lms" is already used by a.json',
        'e.json: transport.kind: unknown transport "carrier-pigeon"; known: file-drop, https-push, sftp, pull',
        'f.json: profile.fields.1: "healthNotes" is special-category personal data (GDPR Art. 9) and is deny-listed: no profile can send it (docs/requirements.md#r1)',
      ],
    });
  });

  it('reports a widening outside an override as the config module words it', () => {
    const [path] = files({ 'wide.json': { ...base, profile: { guardians: 'viaPupils' } } });
    const result = validateRecipientFiles([path!]);
    expect(result.invalid).toBe(1);
    expect(result.lines).toEqual([
      'wide.json: profile.guardians: "viaPupils" is wider than the default; a recipient may only narrow the lms default profile; to widen it, move this under "override" with a written reason',
    ]);
  });

  it('accepts every shipped fixture', () => {
    const result = validateRecipientFiles(
      fixtures.map(
        (recipient) => new URL(`../../../fixtures/recipients/${recipient.id}.json`, import.meta.url).pathname,
      ),
    );
    expect(result.invalid).toBe(0);
    expect(result.lines).toHaveLength(fixtures.length);
  });
});
