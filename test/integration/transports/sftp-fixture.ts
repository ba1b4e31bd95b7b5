import { execFileSync } from 'node:child_process';
import {
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  existsSync,
  statSync,
  lstatSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, posix } from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes, Connection, ParsedKey, SFTPWrapper } from 'ssh2';
import { scratchDir } from '../../helpers/scratch-dir.js';

const { Server, utils } = ssh2;
const { STATUS_CODE, flagsToString } = utils.sftp;

/** An OpenSSH key pair made with ssh-keygen, and its fingerprint as `ssh-keygen -l` prints it. */
export interface TestKey {
  readonly privateKeyPath: string;
  readonly publicKey: string;
  readonly fingerprint: string;
}

export function makeKey(name: string, passphrase = ''): TestKey {
  const dir = scratchDir('pifu-ssh-key-');
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', path], {
    stdio: 'pipe',
  });
  const listed = execFileSync('ssh-keygen', ['-l', '-f', `${path}.pub`], { encoding: 'utf8' });
  return {
    privateKeyPath: path,
    publicKey: readFileSync(`${path}.pub`, 'utf8'),
    fingerprint: listed.split(' ')[1]!,
  };
}

/** An SFTP server on 127.0.0.1 (ssh2's Server), public-key login only, serving `root` as "/". */
export interface TestSftpServer {
  readonly port: number;
  readonly root: string;
  /** Every SFTP request the server handled, as "OPEN /path", "RENAME /a /b", … */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startSftpServer(options: {
  hostKey: TestKey;
  user: string;
  authorizedKey: TestKey;
  root?: string;
}): Promise<TestSftpServer> {
  const root = options.root ?? scratchDir('pifu-sftp-root-');
  const allowed = utils.parseKey(options.authorizedKey.publicKey) as ParsedKey;
  const requests: string[] = [];
  const clients = new Set<Connection>();

  const server = new Server({ hostKeys: [readFileSync(options.hostKey.privateKeyPath)] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (context) => {
      if (context.method !== 'publickey' || context.username !== options.user)
        return context.reject(['publickey']);
      if (context.key.algo !== allowed.type || !context.key.data.equals(allowed.getPublicSSH()))
        return context.reject();
      if (context.signature === undefined) return context.accept(); // "would this key do?"
      return allowed.verify(context.blob!, context.signature, context.hashAlgo) === true
        ? context.accept()
        : context.reject();
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        accept().on('sftp', (acceptSftp) => serve(acceptSftp(), root, requests));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    root,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.end();
        server.close(() => resolve());
      }),
  };
}

type Handle = { kind: 'file'; fd: number } | { kind: 'dir'; path: string; listed: boolean };

/** A minimal SFTP v3 file server over a local directory, enough for the transport and ssh2's client. */
function serve(sftp: SFTPWrapper, root: string, requests: string[]): void {
  const handles = new Map<number, Handle>();
  let nextHandle = 0;
  const local = (path: string) => join(root, posix.normalize(`/${path}`));
  const handleOf = (buffer: Buffer) =>
    buffer.length === 4 ? handles.get(buffer.readUInt32BE(0)) : undefined;
  const newHandle = (handle: Handle) => {
    const id = nextHandle++;
    handles.set(id, handle);
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(id, 0);
    return buffer;
  };
  const attrs = (stats: Stats): Attributes => ({
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  });
  const fail = (reqid: number, error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    sftp.status(
      reqid,
      code === 'ENOENT'
        ? STATUS_CODE.NO_SUCH_FILE
        : code === 'EACCES' || code === 'EPERM'
          ? STATUS_CODE.PERMISSION_DENIED
          : STATUS_CODE.FAILURE,
    );
  };
  const attempt = (reqid: number, what: string, work: () => void) => {
    requests.push(what);
    try {
      work();
    } catch (error) {
      fail(reqid, error);
    }
  };

  sftp
    .on('OPEN', (reqid, filename, flags) =>
      attempt(reqid, `OPEN ${filename}`, () =>
        sftp.handle(
          reqid,
          newHandle({ kind: 'file', fd: openSync(local(filename), flagsToString(flags) ?? 'r') }),
        ),
      ),
    )
    .on('WRITE', (reqid, handle, offset, data) => {
      const open = handleOf(handle);
      if (open?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE);
      try {
        writeSync(open.fd, data, 0, data.length, offset);
        sftp.status(reqid, STATUS_CODE.OK);
      } catch (error) {
        fail(reqid, error);
      }
    })
    .on('READ', (reqid, handle, offset, length) => {
      const open = handleOf(handle);
      if (open?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE);
      const buffer = Buffer.alloc(length);
      const read = readSync(open.fd, buffer, 0, length, offset);
      if (read === 0) return sftp.status(reqid, STATUS_CODE.EOF);
      sftp.data(reqid, buffer.subarray(0, read));
    })
    .on('FSTAT', (reqid, handle) => {
      const open = handleOf(handle);
      if (open?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE);
      sftp.attrs(reqid, attrs(fstatSync(open.fd)));
    })
    .on('CLOSE', (reqid, handle) => {
      const open = handleOf(handle);
      if (open === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
      handles.delete(handle.readUInt32BE(0));
      if (open.kind === 'file') closeSync(open.fd);
      sftp.status(reqid, STATUS_CODE.OK);
    })
    .on('STAT', (reqid, path) =>
      attempt(reqid, `STAT ${path}`, () => sftp.attrs(reqid, attrs(statSync(local(path))))),
    )
    .on('LSTAT', (reqid, path) =>
      attempt(reqid, `LSTAT ${path}`, () => sftp.attrs(reqid, attrs(lstatSync(local(path))))),
    )
    .on('REALPATH', (reqid, path) =>
      attempt(reqid, `REALPATH ${path}`, () => {
        const resolved = posix.normalize(`/${path}`);
        sftp.name(reqid, [{ filename: resolved, longname: resolved, attrs: {} as Attributes }]);
      }),
    )
    .on('OPENDIR', (reqid, path) =>
      attempt(reqid, `OPENDIR ${path}`, () => {
        if (!statSync(local(path)).isDirectory())
          throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
        sftp.handle(reqid, newHandle({ kind: 'dir', path, listed: false }));
      }),
    )
    .on('READDIR', (reqid, handle) => {
      const open = handleOf(handle);
      if (open?.kind !== 'dir') return sftp.status(reqid, STATUS_CODE.FAILURE);
      if (open.listed) return sftp.status(reqid, STATUS_CODE.EOF);
      open.listed = true;
      sftp.name(
        reqid,
        readdirSync(local(open.path)).map((name) => ({
          filename: name,
          longname: name,
          attrs: attrs(statSync(join(local(open.path), name))),
        })),
      );
    })
    .on('REMOVE', (reqid, path) =>
      attempt(reqid, `REMOVE ${path}`, () => {
        unlinkSync(local(path));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on('RENAME', (reqid, from, to) =>
      attempt(reqid, `RENAME ${from} ${to}`, () => {
        // Like OpenSSH's sftp-server: plain SFTP rename never replaces an existing file.
        if (existsSync(local(to))) return sftp.status(reqid, STATUS_CODE.FAILURE, 'target exists');
        renameSync(local(from), local(to));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    );
}
