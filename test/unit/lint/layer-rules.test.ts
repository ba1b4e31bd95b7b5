import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The layer errors ESLint reports for `import` of `from` in a file at `file` (relative to the repo). */
async function layerErrors(file: string, from: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { probe } from '${from}';\nexport { probe };\n`, {
    filePath: `${root}${file}`,
  });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

// Each forbidden import is paired with an allowed one from the same file, so a rule that fires on
// everything fails here as surely as one that fires on nothing.
describe('lint enforces the layers', () => {
  it.each([
    ['src/feed/probe.ts', '../../jobs/cli/program.js'],
    ['src/feed/probe.ts', '../../connectors/transports/registry.js'],
    ['src/feed/probe.ts', '../../fixtures/generator/index.js'],
    ['src/feed/probe.ts', '../../bench/run-bench.js'],
    ['src/feed/probe.ts', '../../test/helpers/hub-fixture.js'],
  ])('src/ never imports outside src/: %s importing %s', async (file, from) => {
    expect(await layerErrors(file, from)).toEqual([expect.stringContaining('src/ is the core')]);
  });

  it('src/ imports src/ and the migrations', async () => {
    expect(await layerErrors('src/feed/probe.ts', '../errors/index.js')).toEqual([]);
    expect(await layerErrors('src/db/probe.ts', '../../schemas/hub/index.js')).toEqual([]);
  });

  it.each([
    ['connectors/transports/sftp/probe.ts', '../https-push/index.js'],
    ['connectors/transports/sftp/probe.ts', '../../transports/file-drop/file-drop-transport.js'],
    ['connectors/transports/https-push/probe.ts', '../sftp/sftp-transport.js'],
    ['connectors/transports/sftp/probe.ts', '../registry.js'],
    ['connectors/transports/sftp/probe.ts', '../../sources/records-db/index.js'],
    ['connectors/sources/records-db/probe.ts', '../../transports/sftp/index.js'],
  ])('a connector never imports another connector: %s importing %s', async (file, from) => {
    expect(await layerErrors(file, from)).toEqual([
      expect.stringContaining('never imports another connector'),
    ]);
  });

  it.each([
    ['connectors/transports/sftp/probe.ts', '../../../jobs/runtime.js'],
    ['connectors/sources/records-db/probe.ts', '../../../fixtures/generator/index.js'],
  ])('a connector imports no job, fixture, bench or test: %s importing %s', async (file, from) => {
    expect(await layerErrors(file, from)).toEqual([expect.stringContaining('imports only src/')]);
  });

  it('a connector imports its own files and src/; the registry imports every transport', async () => {
    expect(await layerErrors('connectors/transports/sftp/probe.ts', './sftp-config.js')).toEqual([]);
    expect(await layerErrors('connectors/transports/sftp/probe.ts', '../../../src/files/index.js')).toEqual(
      [],
    );
    expect(await layerErrors('connectors/transports/probe-registry.ts', './sftp/index.js')).toEqual([]);
  });

  it.each([
    ['jobs/processors/probe.ts', '../cli/output.js', 'a processor never imports a face'],
    ['jobs/processors/probe.ts', '../http/server.js', 'a processor never imports a face'],
    ['jobs/cli/probe.ts', '../http/server.js', 'never import each other'],
    ['jobs/http/probe.ts', '../cli/output.js', 'never import each other'],
  ])('jobs: %s importing %s is refused', async (file, from, message) => {
    expect(await layerErrors(file, from)).toEqual([expect.stringContaining(message)]);
  });

  it('jobs/processors and jobs/cli import src/ and their own folder', async () => {
    expect(await layerErrors('jobs/processors/probe.ts', './failure.js')).toEqual([]);
    expect(await layerErrors('jobs/processors/probe.ts', '../../src/transfer/index.js')).toEqual([]);
    expect(await layerErrors('jobs/cli/probe.ts', '../runtime.js')).toEqual([]);
  });
});

/** The row-type errors ESLint reports for `import type { name } from from` in a file at `file`. */
async function rowTypeErrors(file: string, name: string, from: string): Promise<string[]> {
  const [result] = await eslint.lintText(
    `import type { ${name} } from '${from}';\nexport type { ${name} };\n`,
    {
      filePath: `${root}${file}`,
    },
  );
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((message) => message.message);
}

describe('lint keeps row types in their repository', () => {
  it.each([
    ['src/feed/probe.ts', 'Selectable', 'kysely'],
    ['src/feed/probe.ts', 'FeedTable', '../db/index.js'],
    ['jobs/cli/probe.ts', 'RunTable', '../../src/db/database.js'],
    ['test/integration/probe.ts', 'TransferTable', '../../src/db/index.js'],
  ])('%s may not import %s from %s', async (file, name, from) => {
    expect(await rowTypeErrors(file, name, from)).toEqual([
      expect.stringContaining('stays in its repository'),
    ]);
  });

  it('a repository maps rows, and anyone may use the database type and the domain objects', async () => {
    expect(await rowTypeErrors('src/feed/feed-repository.ts', 'FeedTable', '../db/index.js')).toEqual([]);
    expect(await rowTypeErrors('src/feed/feed-repository.ts', 'Selectable', 'kysely')).toEqual([]);
    expect(await rowTypeErrors('src/feed/probe.ts', 'HubDatabase', '../db/index.js')).toEqual([]);
    expect(await rowTypeErrors('src/feed/probe.ts', 'Kysely', 'kysely')).toEqual([]);
  });
});
