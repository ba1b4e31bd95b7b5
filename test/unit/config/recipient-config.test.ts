import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRecipientConfigs, parseRecipientConfig } from '../../../src/config/index.js';

const valid = {
  id: 'websak',
  name: 'Websak',
  kind: 'archive',
  transport: { kind: 'file-drop', directory: 'out' },
};

function directoryWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'recipients-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

describe('recipient configuration', () => {
  it('accepts a valid file and returns a frozen config', () => {
    const result = parseRecipientConfig(valid, 'websak.json');
    expect(result.problems).toEqual([]);
    expect(result.config?.kind).toBe('archive');
    expect(Object.isFrozen(result.config)).toBe(true);
  });

  it.each([
    [{ ...valid, id: 'Web Sak' }, 'websak.json: id: lower-case letters'],
    [{ ...valid, kind: 'payroll' }, 'websak.json: kind: Invalid option'],
    [{ ...valid, name: '' }, 'websak.json: name: a display name is required'],
    [{ ...valid, transport: { kind: 'FTP' } }, 'websak.json: transport.kind: a transport kind'],
    [{ ...valid, healthNotes: true }, 'websak.json: (root): Unrecognized key: "healthNotes"'],
  ])('names the file, the path and the problem for %j', (config, expected) => {
    const { problems } = parseRecipientConfig(config, 'websak.json');
    expect(problems.join('\n')).toContain(expected);
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

  it('loads the sample recipients shipped in fixtures/recipients', () => {
    const configs = loadRecipientConfigs(new URL('../../../fixtures/recipients', import.meta.url).pathname);
    expect(configs.map((config) => config.kind).sort()).toEqual([
      'archive',
      'assessment',
      'directory',
      'lms',
      'sms',
    ]);
  });
});
