import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildDevProgram } from '../../../fixtures/dev-cli/program.js';
import { buildProgram } from '../../../jobs/cli/program.js';
import { eeaCountries, recipientConfigSchema } from '../../../src/config/index.js';
import {
  profileKeys,
  kindDefaults,
  orgIdTypeNames,
  recipientKinds,
  roletypeCodes,
  type Profile,
} from '../../../src/profiles/index.js';

const root = new URL('../../../', import.meta.url);
const docs = readFileSync(new URL('docs/recipients.md', root), 'utf8');
const readme = readFileSync(new URL('README.md', root), 'utf8');

/** The cells of each row of the "Default profiles" tables whose first cell is `` `kind` ``. */
function defaultsRows(kind: string): string[][] {
  return docs
    .split('\n## Default profiles\n')[1]!
    .split('\n## ')[0]!
    .split('\n')
    .filter((line) => line.startsWith(`| \`${kind}\``))
    .map((line) =>
      line
        .split('|')
        .slice(2, -1)
        .map((cell) => cell.trim()),
    );
}

const list = (values: readonly string[]): string => (values.length === 0 ? '—' : values.join(', '));
const allOr = (values: readonly string[], all: readonly string[]): string =>
  values.length === all.length ? 'all' : list(values);

function expectedRows(profile: Profile): string[][] {
  return [
    [
      list(profile.populations),
      profile.guardians,
      list(profile.fields),
      list(profile.staffFields),
      list(profile.guardianFields),
    ],
    [list(profile.idTypes), list(profile.staffIdTypes), list(profile.guardianIdTypes)],
    [
      list(profile.groupTypes),
      allOr(profile.roletypes, roletypeCodes),
      allOr(profile.orgIdTypes, orgIdTypeNames),
      profile.pupilScope,
    ],
  ];
}

describe('docs/recipients.md stays in step with the code', () => {
  it('documents every top-level key of a recipient file', () => {
    for (const key of Object.keys(recipientConfigSchema.shape)) expect(docs).toMatch(`| \`${key}`);
  });

  it('documents every profile key', () => {
    for (const key of profileKeys) expect(docs).toContain(`| \`${key}\``);
  });

  it('lists every EU/EEA country the schema accepts', () => {
    for (const country of eeaCountries) expect(docs).toMatch(new RegExp(`\\b${country}\\b`));
  });

  it.each(recipientKinds)('shows the %s default profile as kind-defaults.ts has it', (kind) => {
    const profile = kindDefaults[kind];
    expect(defaultsRows(kind)).toEqual(expectedRows(profile));
    // The rows leave these out because every kind has the same value; the page says so.
    expect([profile.schools, profile.activeOnly, profile.strictlyConfidential, profile.pseudonymise]).toEqual(
      ['all', true, 'exclude', false],
    );
    expect(profile.levels).toBe('all');
  });
});

describe('docs/cli.md documents every command', () => {
  const cli = readFileSync(new URL('docs/cli.md', root), 'utf8');
  const headings = new Set([...cli.matchAll(/^## (.+)$/gm)].map((match) => match[1]!));
  const commandNames = (command: Command, prefix: string): string[] =>
    command.commands.flatMap((sub) =>
      sub.commands.length > 0 ? commandNames(sub, `${prefix} ${sub.name()}`) : [`${prefix} ${sub.name()}`],
    );

  it('has one heading per pifu-hub and pifu-hub-dev command', () => {
    const names = [
      ...commandNames(buildProgram(), 'pifu-hub'),
      ...commandNames(buildDevProgram(), 'pifu-hub-dev'),
    ];
    expect(names.filter((name) => !headings.has(name))).toEqual([]);
  });

  it('is linked from the README, with the recipients docs', () => {
    expect(readme).toContain('docs/cli.md');
    expect(readme).toContain('docs/recipients.md');
    expect(readme.length).toBeLessThan(11_000);
  });
});
