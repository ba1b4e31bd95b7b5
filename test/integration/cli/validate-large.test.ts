import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, repository } from '../../helpers/built-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const namespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1';

/**
 * `pifu-hub validate` of a file past 50 MB, which streams into the native xmllint, as an operator runs
 * it (the built CLI): the verdict on stdout and nothing on stderr. Before, each wait for xmllint to take
 * more input left a listener on it, and Node printed a MaxListenersExceededWarning to stderr.
 */
describe('pifu-hub validate of a file past 50 MB', () => {
  let dir: string;

  beforeAll(() => {
    ensureBuilt();
    dir = scratchDir('pifu-validate-large-');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says valid, and nothing else, with xmllint on PATH', () => {
    const path = join(dir, 'large.xml');
    const properties =
      '<properties lang="no"><datasource>s</datasource><type>full</type><datetime>2024-01-01T00:00:00</datetime></properties>';
    // 60 MB of whitespace in 10 KB runs between comments: valid, and past the in-memory threshold.
    const padding = `${' '.repeat(10_240)}<!---->`.repeat(6_000);
    writeFileSync(
      path,
      `<?xml version="1.0" encoding="UTF-8"?>\n<enterprise xmlns="${namespace}">${properties}${padding}</enterprise>\n`,
    );
    const result = spawnSync(process.execPath, [join(repository, 'bin', 'pifu-hub.js'), 'validate', path], {
      env: { ...process.env, PIFU_HUB_DATA_DIR: join(dir, 'data') },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${path}: valid\n`);
    expect(result.status).toBe(0);
  }, 120_000);
});
