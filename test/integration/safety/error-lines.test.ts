import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { runCli } from '../cli/run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const fixturesDir = new URL('../../../fixtures/recipients/', import.meta.url).pathname;
const oneErrorLine = /^error: (PIFU_[A-Z_]+): [^\n]+\n$/;

/**
 * Every way an operator can get a command wrong ends the same way: one `error: PIFU_CODE: …` line on
 * stderr, a non-zero exit, and nothing personal repeated back (issue 10, item 8). Each row names what it
 * tries and the code it must get.
 */
const cases: readonly { readonly name: string; readonly args: readonly string[]; readonly code: string }[] = [
  { name: 'validate a directory', args: ['validate', '/tmp'], code: 'PIFU_FILE_UNREADABLE' },
  { name: 'validate a missing file', args: ['validate', '/nonexistent.xml'], code: 'PIFU_FILE_UNREADABLE' },
  {
    name: 'a --limit far past its bound',
    args: ['transfers', '--limit', '99999999999999999999'],
    code: 'PIFU_USAGE_INVALID',
  },
  { name: 'a --limit of zero', args: ['runs', '--limit', '0'], code: 'PIFU_USAGE_INVALID' },
  {
    name: 'retention months past their bound',
    args: ['retention-check', '--months', '99999999999'],
    code: 'PIFU_USAGE_INVALID',
  },
  {
    name: 'a plan window past its bound',
    args: ['scheduler', '--plan', '99999999'],
    code: 'PIFU_USAGE_INVALID',
  },
  { name: 'an unknown command', args: ['exprot', '--all'], code: 'PIFU_USAGE_INVALID' },
  { name: 'an unknown option', args: ['runs', '--limt', '3'], code: 'PIFU_USAGE_INVALID' },
  { name: 'a national identity number as a command', args: ['08908200064'], code: 'PIFU_USAGE_INVALID' },
  {
    name: 'a national identity number in an unknown --option=value',
    args: ['runs', '--persn=08908200064'],
    code: 'PIFU_USAGE_INVALID',
  },
  {
    name: 'a national identity number as an unknown option',
    args: ['runs', '--08908200064'],
    code: 'PIFU_USAGE_INVALID',
  },
  {
    name: 'a missing required option',
    args: ['forget', '--reason', 'erasure request'],
    code: 'PIFU_USAGE_INVALID',
  },
  { name: 'conflicting options', args: ['export', '--all', '--delta', '--full'], code: 'PIFU_USAGE_INVALID' },
  { name: 'export with no recipient chosen', args: ['export'], code: 'PIFU_USAGE_INVALID' },
  {
    name: 'export naming recipients and --all',
    args: ['export', '--all', '--recipient', 'websak'],
    code: 'PIFU_USAGE_INVALID',
  },
  {
    name: 'export to an unknown recipient',
    args: ['export', '--recipient', 'nope'],
    code: 'PIFU_RECIPIENT_UNKNOWN',
  },
  {
    name: 'transfers of an unknown recipient',
    args: ['transfers', '--recipient', 'nope'],
    code: 'PIFU_RECIPIENT_UNKNOWN',
  },
  {
    name: 'forget by a national identity number with a space',
    args: ['forget', '--person', '089082 00064', '--reason', 'erasure request 2026/1'],
    code: 'PIFU_USAGE_INVALID',
  },
  {
    name: 'forget by SQL',
    args: ['forget', '--person', "x' OR 1=1 --", '--reason', 'erasure request 2026/1'],
    code: 'PIFU_USAGE_INVALID',
  },
  {
    name: 'forget of a well-formed key nobody has',
    args: [
      'forget',
      '--person',
      '00000000-0000-4000-8000-000000000000',
      '--reason',
      'erasure request 2026/1',
    ],
    code: 'PIFU_PERSON_UNKNOWN',
  },
  {
    name: 'forget with a reason of only spaces',
    args: ['forget', '--person', '00000000-0000-4000-8000-000000000000', '--reason', '   '],
    code: 'PIFU_USAGE_INVALID',
  },
  {
    name: 'resync of a school with a wrong check digit',
    args: ['resync', '--recipient', 'websak', '--school', '123456789', '--reason', 'school moved systems'],
    code: 'PIFU_USAGE_INVALID',
  },
  {
    name: 'resync of a school the source does not have',
    args: ['resync', '--recipient', 'websak', '--school', '999999', '--reason', 'school moved systems'],
    code: 'PIFU_SCHOOL_UNKNOWN',
  },
  {
    name: 'resync of an unknown recipient',
    args: ['resync', '--recipient', 'nope', '--reason', 'school moved systems'],
    code: 'PIFU_RECIPIENT_UNKNOWN',
  },
  { name: 'show of an unknown run', args: ['run', 'show', 'run-nope'], code: 'PIFU_RUN_UNKNOWN' },
  {
    name: 'show of something that is not a run id',
    args: ['run', 'show', 'nope'],
    code: 'PIFU_USAGE_INVALID',
  },
  { name: 'retry of an unknown transfer', args: ['retry', 'transfer-nope'], code: 'PIFU_TRANSFER_UNKNOWN' },
  {
    name: 'approve of an unknown hold',
    args: ['hold', 'approve', 'transfer-nope', '--reason', 'looked at it'],
    code: 'PIFU_HOLD_UNKNOWN',
  },
  { name: 'show of an unknown hold', args: ['hold', 'show', 'transfer-nope'], code: 'PIFU_HOLD_UNKNOWN' },
  {
    name: 'disclosures of a malformed key',
    args: ['disclosures', '--person', 'Kari Nordmann'],
    code: 'PIFU_USAGE_INVALID',
  },
  {
    name: 'a worker with an unknown queue',
    args: ['worker', '--queues', 'run,nope'],
    code: 'PIFU_USAGE_INVALID',
  },
  {
    name: 'a worker with a concurrency past its bound',
    args: ['worker', '--concurrency', '100000'],
    code: 'PIFU_USAGE_INVALID',
  },
];

describe('every error path is one PIFU_ line and a non-zero exit', () => {
  let database: TestDatabase;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'tiny' });
    const dataDir = scratchDir('pifu-errors-');
    env = {
      DATABASE_URL: database.url,
      PIFU_HUB_DATA_DIR: dataDir,
      PIFU_HUB_RECIPIENTS_DIR: fixturesDir,
      REDIS_URL: undefined,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    database.pool.on('error', () => undefined);
    await database.destroy();
  });

  it.each(cases)('$name → $code', async ({ args, code }) => {
    const { stdout, stderr, exitCode } = await runCli(args, env);
    expect(exitCode).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(oneErrorLine);
    expect(oneErrorLine.exec(stderr)?.[1]).toBe(code);
    // Nothing typed is echoed when it may be personal: no eleven digits, no typed name.
    expect(stderr).not.toMatch(/(?<!\d)\d{6} ?\d{5}(?!\d)/);
    expect(stderr).not.toContain('Kari');
  });

  it('still names a mistyped command or option, without the value typed with it', async () => {
    const command = await runCli(['exprot', '--all'], env);
    expect(command.stderr).toContain("unknown command 'exprot'");
    const option = await runCli(['runs', '--limt=3'], env);
    expect(option.stderr).toContain("unknown option '--limt' ");
    expect(option.stderr).not.toContain('=3');
  });
});
