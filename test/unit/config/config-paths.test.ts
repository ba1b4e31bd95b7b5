import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTransportConfig } from '../../../connectors/transports/registry.js';
import {
  checkRecipientFiles,
  dropDirectoryProblem,
  secretFileProblem,
  type ConfigPathRules,
} from '../../../src/config/index.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const none: ConfigPathRules = { cwd: '/home/hub' };
const dropRoot: ConfigPathRules = { cwd: '/home/hub', dropRoot: '/srv/drop' };
const secretsDir: ConfigPathRules = { cwd: '/home/hub', secretsDir: '/etc/pifu-hub/secrets' };

describe('file-drop directories', () => {
  it.each([
    ['an absolute directory of its own', '/srv/pifu-hub/drop/websak', none],
    ['a relative directory, read from the working directory', 'out/websak', none],
    ['a scratch directory', '/tmp/pifu-drop/websak', none],
    ['inside the drop root', '/srv/drop/websak', dropRoot],
    ['the drop root itself', '/srv/drop', dropRoot],
    [
      'inside a drop root that is a system directory, chosen by the operator',
      '/var/lib/hub/drop/x',
      {
        dropRoot: '/var/lib/hub/drop',
      },
    ],
  ])('accepts %s', (_case, directory, rules) => {
    expect(dropDirectoryProblem(directory, rules)).toBeUndefined();
  });

  it.each([
    ['one that climbs out with ../..', 'out/../../etc', none, '"out/../../etc" climbs with a ".." segment'],
    ['one containing NUL', '/srv/drop/a\0b', none, 'contains a NUL character'],
    ['/etc', '/etc/cron.d', none, '"/etc/cron.d" is inside the system directory /etc; file drops go in'],
    ['the root directory', '/', none, '"/" is the root directory;'],
    ['/usr', '/usr/local/bin', none, 'inside the system directory /usr'],
    ['/var/lib', '/var/lib/postgresql/data', none, 'inside the system directory /var/lib'],
    ['/proc', '/proc/self', none, 'inside the system directory /proc'],
    ['/lib64', '/lib64/x', none, 'inside the system directory /lib64'],
    ['/root', '/root/drop', none, 'inside the system directory /root'],
    ['/run', '/run/drop', none, 'inside the system directory /run'],
    [
      'a relative one landing in /etc',
      'etc/cron.d',
      { cwd: '/' },
      '"etc/cron.d" (/etc/cron.d) is inside the system directory /etc',
    ],
    [
      'one outside the drop root',
      '/srv/other',
      dropRoot,
      '"/srv/other" is outside the drop root /srv/drop (PIFU_HUB_DROP_ROOT)',
    ],
    ['a relative one outside the drop root', 'out/websak', dropRoot, 'outside the drop root'],
    ['a sibling that shares the prefix', '/srv/drop-2/x', dropRoot, 'outside the drop root'],
  ])('refuses %s', (_case, directory, rules, message) => {
    expect(dropDirectoryProblem(directory, rules)).toContain(message);
  });

  it('refuses a directory whose symlink leads into a system directory', () => {
    const dir = scratchDir('pifu-drop-');
    symlinkSync('/etc', join(dir, 'link'));
    expect(dropDirectoryProblem(join(dir, 'link', 'cron.d'), none)).toBe(
      `"${join(dir, 'link', 'cron.d')}" (/etc/cron.d) is inside the system directory /etc; ` +
        'file drops go in a directory of their own (e.g. /srv/pifu-hub/drop/<recipient>), or set PIFU_HUB_DROP_ROOT',
    );
    expect(dropDirectoryProblem(join(dir, 'link'), { dropRoot: dir })).toContain('outside the drop root');
  });

  it('the file-drop transport reports them as transport.directory, with the environment rules only', () => {
    const fileDrop = (directory: string) => ({ kind: 'file-drop', directory });
    expect(checkTransportConfig(fileDrop('../../etc'))).toEqual([
      'transport.directory: "../../etc" climbs with a ".." segment; write the path without it',
    ]);
    expect(checkTransportConfig(fileDrop('/etc/x'))).toEqual([]);
    expect(checkTransportConfig(fileDrop('/etc/x'), none)).toEqual([
      'transport.directory: "/etc/x" is inside the system directory /etc; file drops go in a directory of their own (e.g. /srv/pifu-hub/drop/<recipient>), or set PIFU_HUB_DROP_ROOT',
    ]);
    expect(checkTransportConfig(fileDrop('/srv/drop/x'), dropRoot)).toEqual([]);
  });
});

describe('secret files', () => {
  it.each([
    ['a Docker secret', '/run/secrets/pseudonym-key', none],
    ['a systemd credential', '/run/credentials/pifu-hub.service/key', none],
    ['a file of its own', '/srv/pifu-hub/secrets/key', none],
    ["a file in the hub's own /etc directory", '/etc/pifu-hub/tls/client.crt', none],
    ['a relative file', 'secrets/key', none],
    ['a file inside the secrets directory, even under /etc', '/etc/pifu-hub/secrets/key', secretsDir],
  ])('accepts %s', (_case, file, rules) => {
    expect(secretFileProblem(file, rules)).toBeUndefined();
  });

  it.each([
    [
      '/etc/shadow',
      '/etc/shadow',
      none,
      '"/etc/shadow" is inside the system directory /etc, where the host keeps',
    ],
    ['a host key', '/etc/ssh/ssh_host_ed25519_key', none, 'inside the system directory /etc'],
    [
      'a look-alike of the hub directory',
      '/etc/pifu-hub-other/key',
      none,
      'inside the system directory /etc',
    ],
    ['a process environment', '/proc/self/environ', none, 'inside the system directory /proc'],
    ["root's key", '/root/.ssh/id_rsa', none, 'inside the system directory /root'],
    ['a database file', '/var/lib/postgresql/data/pg_hba.conf', none, 'inside the system directory /var/lib'],
    ['a device', '/dev/mem', none, 'inside the system directory /dev'],
    [
      'a path that climbs out of /run/secrets',
      '/run/secrets/../../etc/shadow',
      none,
      'climbs with a ".." segment',
    ],
    ['NUL', '/run/secrets/a\0b', none, 'contains a NUL character'],
    [
      'a file outside the secrets directory',
      '/run/secrets/key',
      secretsDir,
      '"/run/secrets/key" is outside the secrets directory /etc/pifu-hub/secrets (PIFU_HUB_SECRETS_DIR)',
    ],
  ])('refuses %s', (_case, file, rules, message) => {
    expect(secretFileProblem(file, rules)).toContain(message);
  });

  it("a transport's secret files are checked by path: sftp privateKey, https client key", () => {
    const sftp = {
      kind: 'sftp',
      host: 'sftp.example.no',
      username: 'hub',
      privateKey: { file: '/etc/ssh/ssh_host_rsa_key' },
      hostKey: `SHA256:${'A'.repeat(43)}`,
      directory: '/inbound',
    };
    expect(checkTransportConfig(sftp, none)).toEqual([
      expect.stringMatching(
        /^transport\.privateKey\.file: "\/etc\/ssh\/ssh_host_rsa_key" is inside the system directory \/etc/,
      ),
    ]);
    const https = {
      kind: 'https-push',
      url: 'https://lms.example.no/pifu',
      clientCertificate: { cert: { file: '/run/secrets/c.crt' }, key: { file: '/root/c.key' } },
      ca: { env: 'CA_PEM' },
    };
    expect(checkTransportConfig(https, none)).toEqual([
      expect.stringMatching(
        /^transport\.clientCertificate\.key\.file: "\/root\/c\.key" is inside the system directory \/root/,
      ),
    ]);
    expect(checkTransportConfig(https, { secretsDir: '/run/secrets' })).toEqual([
      expect.stringMatching(
        /^transport\.clientCertificate\.key\.file: "\/root\/c\.key" is outside the secrets directory/,
      ),
    ]);
  });

  it('a recipient pseudonymKey file in a system directory is refused when the files are checked with the rules', () => {
    const dir = scratchDir('pifu-secrets-');
    mkdirSync(join(dir, 'recipients'));
    const recipient = {
      id: 'pas',
      name: 'PAS',
      kind: 'portal',
      purpose: 'Pupil administration portal',
      legalBasis: 'GDPR Art. 6(1)(e); opplæringslova',
      processing: { country: 'NO', dpaReference: 'DPA-1' },
      contact: { name: 'Skole', email: 'skole@example.org' },
      pseudonymKey: { file: '/etc/shadow' },
      transport: { kind: 'file-drop', directory: join(dir, 'drop') },
    };
    const path = join(dir, 'recipients', 'pas.json');
    writeFileSync(path, JSON.stringify(recipient));
    expect(checkRecipientFiles([path], { paths: none }).map((result) => result.problems)).toEqual([
      [
        'pas.json: pseudonymKey.file: "/etc/shadow" is inside the system directory /etc, where the host keeps its own files and credentials; ' +
          "keep the hub's secrets in a directory of their own (or /run/secrets, /run/credentials, /etc/pifu-hub), or set PIFU_HUB_SECRETS_DIR",
      ],
    ]);
    expect(checkRecipientFiles([path], { paths: { secretsDir: '/etc' } })[0]!.problems).toEqual([]);
    // Without the environment's rules only the shape is checked: a caller that does not know them
    // must not refuse what the environment allows.
    expect(checkRecipientFiles([path])[0]!.problems).toEqual([]);
  });
});
