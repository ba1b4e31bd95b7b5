import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkRecipientFiles,
  loadRoleGrants,
  parseJsonText,
  readJsonFile,
  resolveOperatorRoles,
} from '../../../src/config/index.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const fileWith = (name: string, text: string): string => {
  const path = join(scratchDir('pifu-json-'), name);
  writeFileSync(path, text);
  return path;
};

describe('the strict JSON reader for config files', () => {
  it('reads what JSON.parse reads, when no key repeats', () => {
    const text = '{ "a": [1, 2.5, "x", true, null, { "b": {} }], "c": "ø \\u00e6" }';
    expect(parseJsonText(text)).toEqual({ value: JSON.parse(text), problems: [] });
  });

  it.each([
    [
      'a duplicate key at the top',
      '{\n  "id": "a",\n  "id": "b"\n}',
      [
        {
          path: '(root)',
          message: 'duplicate key "id" (line 3, column 3; first at line 2, column 3): keep one',
        },
      ],
    ],
    [
      'a duplicate key in a nested object',
      '{ "transport": { "kind": "file-drop", "directory": "/a", "directory": "/etc" } }',
      [
        {
          path: 'transport',
          message: 'duplicate key "directory" (line 1, column 58; first at line 1, column 39): keep one',
        },
      ],
    ],
    [
      'a duplicate key inside an array element',
      '{ "feed": { "freeze": [ { "to": "x", "to": "y" } ] } }',
      [{ path: 'feed.freeze.0', message: expect.stringMatching(/^duplicate key "to" /) }],
    ],
    [
      '__proto__',
      '{ "id": "a",\n "__proto__": { "isAdmin": true } }',
      [
        {
          path: '(root)',
          message: 'the key "__proto__" (line 2, column 2) is not allowed in a config file; remove it',
        },
      ],
    ],
    [
      'constructor and prototype',
      '{ "constructor": 1, "prototype": 2 }',
      [
        { path: '(root)', message: expect.stringMatching(/^the key "constructor" \(line 1, column 3\)/) },
        { path: '(root)', message: expect.stringMatching(/^the key "prototype" \(line 1, column 21\)/) },
      ],
    ],
    [
      'text that is not JSON',
      '{ not json',
      [{ path: '(root)', message: expect.stringMatching(/^not valid JSON \(/) }],
    ],
    [
      'a trailing comma',
      '{ "a": 1, }',
      [{ path: '(root)', message: expect.stringMatching(/^not valid JSON \(/) }],
    ],
    ['an empty file', '', [{ path: '(root)', message: expect.stringMatching(/^not valid JSON \(/) }]],
  ])('refuses %s, naming the key and where it is', (_case, text, problems) => {
    const reading = parseJsonText(text);
    expect(reading.value).toBeUndefined();
    expect(reading.problems).toEqual(problems);
  });

  it('never builds an object whose prototype a __proto__ key changed', () => {
    const reading = parseJsonText('{ "__proto__": { "polluted": true } }');
    expect(reading.value).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a missing file or a directory is a problem, not an exception', () => {
    const dir = scratchDir('pifu-json-');
    expect(readJsonFile(join(dir, 'missing.json')).problems).toEqual([
      { path: '(root)', message: 'no such file' },
    ]);
    expect(readJsonFile(dir).problems).toEqual([{ path: '(root)', message: 'a directory, not a file' }]);
  });

  it('a recipient file with a duplicate or __proto__ key gets `file: path: message` lines', () => {
    const duplicate = fileWith('websak.json', '{ "id": "websak", "id": "other" }');
    const proto = fileWith('pas.json', '{ "__proto__": {}, "constructor": 1 }');
    expect(checkRecipientFiles([duplicate, proto]).map((result) => result.problems)).toEqual([
      ['websak.json: (root): duplicate key "id" (line 1, column 19; first at line 1, column 3): keep one'],
      [
        'pas.json: (root): the key "__proto__" (line 1, column 3) is not allowed in a config file; remove it',
        'pas.json: (root): the key "constructor" (line 1, column 20) is not allowed in a config file; remove it',
      ],
    ]);
  });
});

describe('the roles file (PIFU_HUB_ROLES_FILE)', () => {
  it('refuses a duplicate user, naming them, instead of silently taking the last grant', () => {
    const path = fileWith('roles.json', '{\n  "alice": ["viewer"],\n  "alice": ["privacy-admin"]\n}');
    expect(() => loadRoleGrants(path)).toThrow(
      `PIFU_CONFIG_INVALID: cannot read roles file ${path} (PIFU_HUB_ROLES_FILE): (root): duplicate key "alice" (line 3, column 3; first at line 2, column 3): keep one`,
    );
  });

  it('refuses a __proto__ key with a clear message', () => {
    const path = fileWith('roles.json', '{ "__proto__": ["config-admin"] }');
    expect(() => loadRoleGrants(path)).toThrow(
      'the key "__proto__" (line 1, column 3) is not allowed in a config file; remove it',
    );
  });

  it('grants nothing to a user named like an Object property', () => {
    const rolesFile = fileWith('roles.json', '{ "alice": ["viewer"] }');
    const rolesOf = (user: string) => [...resolveOperatorRoles({ rolesFile, embedded: false, user }).roles];
    expect(rolesOf('constructor')).toEqual([]);
    expect(rolesOf('toString')).toEqual([]);
    expect(rolesOf('alice')).toEqual(['viewer']);
    expect(loadRoleGrants(rolesFile)).toEqual({ alice: ['viewer'] });
  });
});
