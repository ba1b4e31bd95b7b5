import { loadRecipientConfigs, parseRecipientConfig } from '../../../src/config/index.js';
import { kindDefaults } from '../../../src/profiles/index.js';
import { directoryWith, valid } from './support/recipient-files.js';

function without(key: keyof typeof valid): Record<string, unknown> {
  const { [key]: _removed, ...rest } = valid;
  return rest;
}

describe('recipient configuration', () => {
  it('accepts a valid file, resolves the kind default profile and returns a frozen config', () => {
    const result = parseRecipientConfig(valid, 'websak.json');
    expect(result.problems).toEqual([]);
    expect(result.config?.kind).toBe('archive');
    expect(result.config?.resolvedProfile).toEqual(kindDefaults.archive);
    expect(result.config?.widenings).toEqual([]);
    expect(Object.isFrozen(result.config)).toBe(true);
  });

  // One rule of the schema broken at a time; each gives exactly one line naming file, path and fix.
  it.each([
    ['id pattern', { ...valid, id: 'Web Sak' }, 'websak.json: id: lower-case letters'],
    ['id missing', without('id'), 'websak.json: id: is required: the recipient id'],
    ['name empty', { ...valid, name: '' }, 'websak.json: name: a display name is required'],
    ['name missing', without('name'), 'websak.json: name: is required: a display name'],
    [
      'kind unknown',
      { ...valid, kind: 'payroll' },
      'websak.json: kind: "payroll" is not a recipient kind; use one of lms',
    ],
    ['kind missing', without('kind'), 'websak.json: kind: is required: one of lms'],
    ['purpose missing', without('purpose'), 'websak.json: purpose: is required: the purpose'],
    ['purpose too short', { ...valid, purpose: 'x' }, 'websak.json: purpose: the purpose of the transfer'],
    ['legal basis missing', without('legalBasis'), 'websak.json: legalBasis: is required: the legal basis'],
    ['processing missing', without('processing'), 'websak.json: processing: is required: { "country": "NO"'],
    [
      'country outside the EEA',
      { ...valid, processing: { country: 'US', dpaReference: 'DPA-1' } },
      'websak.json: processing.country: "US" is not an EU/EEA country (ISO 3166-1 alpha-2): the hub refuses to transfer roster data outside the EU/EEA (docs/requirements.md#r6)',
    ],
    [
      'DPA reference missing',
      { ...valid, processing: { country: 'SE' } },
      'websak.json: processing.dpaReference: is required: the data processing agreement reference',
    ],
    ['contact missing', without('contact'), 'websak.json: contact: is required: { "name"'],
    [
      'contact e-mail invalid',
      { ...valid, contact: { name: 'A', email: 'nope' } },
      'websak.json: contact.email: an e-mail address',
    ],
    [
      'transport kind',
      { ...valid, transport: { kind: 'FTP' } },
      'websak.json: transport.kind: a transport kind',
    ],
    [
      'unknown top-level key',
      { ...valid, colour: 'blue' },
      'websak.json: (root): Unrecognized key: "colour"',
    ],
    [
      'special-category top-level key',
      { ...valid, healthNotes: true },
      'websak.json: (root): "healthNotes" is special-category personal data (GDPR Art. 9) and is deny-listed',
    ],
    [
      'health as a field',
      { ...valid, profile: { fields: ['name', 'health'] } },
      'websak.json: profile.fields.1: "health" is special-category personal data (GDPR Art. 9) and is deny-listed',
    ],
    [
      'injury as a profile setting',
      { ...valid, profile: { injury: true } },
      'websak.json: profile: "injury" is an injury case; is not roster data',
    ],
    [
      'salary through an override',
      { ...valid, override: { staffFields: ['salary'], reason: 'Payroll wants it for pension reporting' } },
      'websak.json: override.staffFields.0: "salary" is salary data; is not roster data',
    ],
    [
      'native tongue',
      { ...valid, profile: { fields: ['nativeTongue'] } },
      'websak.json: profile.fields.0: "nativeTongue" is a proxy for ethnic origin',
    ],
    [
      'språkopplæring group type',
      { ...valid, profile: { groupTypes: ['skole', 'språkopplæring'] } },
      'websak.json: profile.groupTypes.1: "språkopplæring" (særskilt norskopplæring) reveals ethnic origin',
    ],
    [
      'unknown field',
      { ...valid, profile: { fields: ['shoeSize'] } },
      'websak.json: profile.fields.0: "shoeSize" is not a person field key; use one of name, bday',
    ],
    [
      'guardian as a population',
      { ...valid, profile: { populations: ['guardian'] } },
      'websak.json: profile.populations.0: guardians are never a population of their own',
    ],
    [
      'widening a list without override',
      { ...valid, profile: { fields: ['name', 'mobile.private'] } },
      'websak.json: profile.fields.1: "mobile.private" is not in the default; a recipient may only narrow the archive default profile',
    ],
    [
      'widening a scalar without override',
      { ...valid, profile: { activeOnly: false } },
      'websak.json: profile.activeOnly: "false" is wider than the default; a recipient may only narrow',
    ],
    [
      'opting in strictly confidential persons without override',
      { ...valid, profile: { strictlyConfidential: 'include' } },
      'websak.json: profile.strictlyConfidential: "include" is wider than the default',
    ],
    [
      'override without a reason',
      { ...valid, override: { fields: ['gender'] } },
      'websak.json: override.reason: an override needs a written "reason"',
    ],
    [
      'override with a too short reason',
      { ...valid, override: { fields: ['gender'], reason: 'because' } },
      'websak.json: override.reason: a written reason of at least 20 characters',
    ],
    [
      'no name for a population that is sent',
      { ...valid, profile: { fields: ['bday'] } },
      'websak.json: profile.fields: must include "name" while pupils are sent',
    ],
    [
      'guardians without pupils',
      { ...valid, kind: 'sms', profile: { populations: ['staff'] } },
      'websak.json: profile.guardians: guardians are only ever sent through in-scope pupils',
    ],
    [
      'bad cron',
      { ...valid, schedule: { full: 'every night' } },
      'websak.json: schedule.full: schedule "every night" is not a cron expression',
    ],
    [
      'pseudonym key in the config text',
      { ...valid, pseudonymKey: { value: 'secret' } },
      'websak.json: pseudonymKey',
    ],
    ['bad level', { ...valid, profile: { levels: [14] } }, 'websak.json: profile.levels'],
    [
      'bad date window',
      { ...valid, profile: { dateWindow: { from: '1 Aug' } } },
      'websak.json: profile.dateWindow.from: a date as YYYY-MM-DD',
    ],
  ])('%s gives one line naming file, path and fix', (_rule, config, expected) => {
    const { problems } = parseRecipientConfig(config, 'websak.json');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('applies an override with a reason and reports what it widens', () => {
    const { config, problems } = parseRecipientConfig(
      {
        ...valid,
        kind: 'sms',
        override: { guardianIdTypes: ['personNIN'], reason: 'Guardians log in with ID-porten by NIN' },
      },
      'sms.json',
    );
    expect(problems).toEqual([]);
    expect(config?.resolvedProfile.guardianIdTypes).toEqual(['personNIN']);
    expect(config?.widenings).toEqual(['guardianIdTypes+personNIN']);
  });

  it('narrows the kind default', () => {
    const { config } = parseRecipientConfig(
      { ...valid, profile: { fields: ['name', 'status'], schools: ['974589095'], levels: [8, 9, 10] } },
      'websak.json',
    );
    expect(config?.resolvedProfile.fields).toEqual(['name', 'status']);
    expect(config?.resolvedProfile.schools).toEqual(['974589095']);
    expect(config?.resolvedProfile.levels).toEqual([8, 9, 10]);
    expect(config?.resolvedProfile.idTypes).toEqual(kindDefaults.archive.idTypes);
  });

  it('uses no recipient when any file is invalid, and lists every problem', () => {
    const dir = directoryWith({
      'a.json': valid,
      'b.json': '{ not json',
      'c.json': { ...valid, kind: 'payroll' },
      'd.json': valid,
    });
    expect(() => loadRecipientConfigs(dir)).toThrow(
      /PIFU_RECIPIENT_INVALID: 3 problem\(s\): b\.json: \(root\): not valid JSON.*c\.json: kind.*d\.json: id: "websak" is already used by a\.json/,
    );
  });

  it('loads the seed recipients shipped in fixtures/recipients, one per system the seeds name', () => {
    const configs = loadRecipientConfigs(new URL('../../../fixtures/recipients', import.meta.url).pathname);
    expect(configs.map((config) => `${config.id}:${config.kind}`).sort()).toEqual([
      'conexus-engage:analytics',
      'den-kulturelle-skolesekken:culture',
      'eft-kurssenter:course',
      'gsi-udir:statistics',
      'inspera:assessment',
      'itslearning:lms',
      'laerers-laering:course',
      'pas:portal',
      'ruter-reisekort:transport',
      'skole-sms:sms',
      'skoleplattform-directory:directory',
      'skoleplattform-messaging:sms',
      'skyssportal:transport',
      'sommerskolen:course',
      'vis-udir:statistics',
      'websak:archive',
    ]);
    expect(configs.find((config) => config.id === 'conexus-engage')?.resolvedProfile.pseudonymise).toBe(true);
  });
});
