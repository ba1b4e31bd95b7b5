import { randomBytes } from 'node:crypto';
import { rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { z } from 'zod';
import {
  configPlaceProblems,
  readJsonFile,
  readSecret,
  secretSourceHint,
  unknownKeysRefusal,
  type ConfigPathRules,
} from '../../../src/config/index.js';
import { HubError } from '../../../src/errors/index.js';
import {
  lenientModeHelp,
  parseLenientModes,
  type RemoteSourceFile,
  type SourceFileFetcher,
} from '../../../src/ports/index.js';
import { parseSchedule } from '../../../src/schedule/index.js';
import { sftpConnectionShape, type SftpConfig } from './sftp-config.js';

const shape = {
  ...sftpConnectionShape,
  directory: z
    .string({ error: 'is required: the remote directory the school system exports to, e.g. "/export"' })
    .min(1, 'the remote directory the school system exports to'),
  suffix: z
    .string()
    .regex(/^\.[A-Za-z0-9.]{1,16}$/, 'a file name ending such as ".xml"')
    .default('.xml')
    .describe('Only files whose name ends so are exports.'),
  dropDir: z
    .string({ error: 'is required: the local drop folder pulled files are imported from, absolute' })
    .refine((path) => isAbsolute(path) && !path.includes('\0'), 'an absolute directory path'),
  settleSeconds: z
    .int()
    .min(0)
    .max(86_400)
    .default(60)
    .describe('A remote file changed more recently than this may still be being written: left for later.'),
  schedule: z
    .string()
    .superRefine((expression, context) => {
      try {
        parseSchedule(expression);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
      }
    })
    .optional()
    .describe('When the scheduler pulls: cron, five fields, Europe/Oslo time. Unset: only by hand.'),
  lenient: z
    .union([z.string(), z.array(z.string())])
    .transform((given, context) => {
      const modes = parseLenientModes(typeof given === 'string' ? [given] : given);
      if (modes === undefined) context.addIssue({ code: 'custom', message: lenientModeHelp });
      return modes ?? [];
    })
    .optional()
    .describe(
      "This source's lenient modes, as `--lenient` names them; `--lenient` overrides them. Unset: PIFU_HUB_IMPORT_LENIENT.",
    ),
};

const sourcePullSchema = z.strictObject(shape, {
  error: unknownKeysRefusal(Object.keys(shape), (key) =>
    /passw/i.test(key)
      ? `password login is not supported (public-key only); use "privateKey": ${secretSourceHint}`
      : `use "privateKey" / "passphrase": ${secretSourceHint}`,
  ),
});

/** The source pull's settings (docs/cli.md#pifu-hub-source-pull): the SFTP transport's, and what to take. */
export type SourcePullConfig = z.infer<typeof sourcePullSchema>;

const variable = 'PIFU_HUB_SOURCE_PULL_FILE';

/**
 * Reads the source pull's JSON file; its secret files must pass the rules recipients' do
 * (PIFU_HUB_SECRETS_DIR). Every problem in one PIFU_CONFIG_INVALID line naming the variable.
 */
export function readSourcePullConfig(path: string, rules: ConfigPathRules = {}): SourcePullConfig {
  const reading = readJsonFile(path);
  const problems = reading.problems.map((problem) => `${problem.path}: ${problem.message}`);
  if (reading.problems.length === 0) {
    const parsed = sourcePullSchema.safeParse(reading.value);
    if (parsed.success) {
      problems.push(
        ...configPlaceProblems(
          {
            secrets: [
              ['privateKey', parsed.data.privateKey],
              ['passphrase', parsed.data.passphrase],
            ],
          },
          rules,
        ),
      );
      if (problems.length === 0) return parsed.data;
    } else {
      problems.push(
        ...parsed.error.issues.map(
          (issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`,
        ),
      );
    }
  }
  throw new HubError('PIFU_CONFIG_INVALID', `${variable} (${path}): ${problems.join('; ')}`);
}

/** A name a school system's export may have: plain, no leading dot, nothing a path could make of it. */
const plainName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;
const regularFile = 0o100000;

/**
 * The school system's SFTP export directory as the place exports are fetched from: public-key login, the
 * host key pinned as for the SFTP transport (a mismatch is refused, never trusted on first use), secrets
 * from files or variables. The newest settled `*.xml` (by modification time, then name) is downloaded
 * under a hidden temporary name in the drop folder and renamed when complete, keeping its remote time.
 */
export function createSftpSourceFetcher(config: SourcePullConfig): SourceFileFetcher {
  const directory = config.directory === '/' ? '/' : config.directory.replace(/\/+$/, '');
  const location = `sftp://${config.host}:${config.port}${directory}`;
  const session: SftpConfig = { ...config, kind: 'sftp', directory };
  return {
    location,
    deadlineSeconds: config.deadlineSeconds,
    async fetchNewest({ settledBefore, claim, localPath, signal }) {
      const where = `source pull from ${config.host}:${config.port}`;
      const privateKey = await readSecret(config.privateKey, `${variable}: privateKey`);
      const passphrase =
        config.passphrase === undefined
          ? undefined
          : await readSecret(config.passphrase, `${variable}: passphrase`);
      // ssh2 loads with the first pull, as with the first SFTP delivery.
      const { SftpSession } = await import('./sftp-session.js');
      const sftp = new SftpSession(session, where, signal, {
        party: 'school system',
        settings: variable,
        access: 'read',
      });
      try {
        await sftp.connect(privateKey, passphrase, `${variable}: privateKey`);
        const listed = await sftp.call<
          { filename: string; attrs: { mode: number; size: number; mtime: number } }[]
        >(`list ${directory}`, (done) => sftp.sftp.readdir(directory, done));
        const files: RemoteSourceFile[] = listed
          .filter(
            (entry) =>
              plainName.test(entry.filename) &&
              entry.filename.endsWith(config.suffix) &&
              (entry.attrs.mode & 0o170000) === regularFile &&
              entry.attrs.mtime * 1000 <= settledBefore.getTime(),
          )
          .map((entry) => ({
            name: entry.filename,
            sizeBytes: entry.attrs.size,
            modifiedAt: new Date(entry.attrs.mtime * 1000),
          }))
          .sort(
            (a, b) =>
              b.modifiedAt.getTime() - a.modifiedAt.getTime() ||
              (a.name < b.name ? 1 : a.name > b.name ? -1 : 0),
          );
        const newest = files[0];
        if (newest === undefined || !(await claim(newest))) return undefined;
        const target = localPath(newest);
        const temporary = join(dirname(target), `.${newest.name}.${randomBytes(4).toString('hex')}.part`);
        try {
          await sftp.download(posix.join(directory, newest.name), temporary);
          const { size } = await stat(temporary);
          if (size !== newest.sizeBytes) {
            throw sftp.failure(
              `${newest.name}: ${size} bytes downloaded, the listing said ${newest.sizeBytes}`,
            );
          }
          await utimes(temporary, newest.modifiedAt, newest.modifiedAt);
          await rename(temporary, target);
        } catch (error) {
          await rm(temporary, { force: true });
          throw error;
        }
        return newest;
      } finally {
        sftp.close();
      }
    },
  };
}
