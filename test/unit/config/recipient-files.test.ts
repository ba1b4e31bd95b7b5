import { join } from 'node:path';
import { checkRecipientFiles, loadRecipientConfigs } from '../../../src/config/index.js';
import { directoryWith, valid } from './support/recipient-files.js';

describe('checkRecipientFiles: one validation of a set of recipient files', () => {
  const dir = directoryWith({
    'a.json': valid,
    'b.json': { ...valid, id: 'b', transport: { kind: 'file-drop', directory: '/etc/x' } },
    'c.json': valid,
    'd.json': '{ "id": "d", "id": "e" }',
  });
  const paths = ['a.json', 'b.json', 'c.json', 'd.json'].map((name) => join(dir, name));
  const seen: unknown[] = [];
  const checkTransport = (transport: { kind: string }) => {
    seen.push(transport);
    return 'directory' in transport && transport.directory === '/etc/x'
      ? ['transport.directory: not there']
      : [];
  };

  it('returns per file its config or its problems, the transport checked by the function passed in', () => {
    const results = checkRecipientFiles(paths, { checkTransport });
    expect(results.map((result) => [result.file, result.config?.id, result.problems])).toEqual([
      ['a.json', 'websak', []],
      ['b.json', undefined, ['b.json: transport.directory: not there']],
      ['c.json', undefined, ['c.json: id: "websak" is already used by a.json']],
      ['d.json', undefined, [expect.stringMatching(/^d\.json: \(root\): duplicate key "id" /)]],
    ]);
    expect(seen).toContainEqual({ kind: 'file-drop', directory: '/etc/x' });
  });

  it('loading uses the same checks and refuses the whole set with every problem', () => {
    expect(() => loadRecipientConfigs(dir, { checkTransport })).toThrow(
      /^PIFU_RECIPIENT_INVALID: 3 problem\(s\): b\.json: transport\.directory: not there; c\.json: id: .*; d\.json: \(root\): duplicate key "id"/,
    );
  });
});
