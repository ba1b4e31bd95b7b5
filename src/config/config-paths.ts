import { realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';

/**
 * Where a config file may point the hub: file-drop directories (the hub writes there) and secret
 * files (the hub reads them and sends or uses their content). A recipient file is reviewed like code,
 * but it must still not be able to make the hub write into /etc or read /etc/shadow as a "key".
 *
 * - A file-drop directory is inside PIFU_HUB_DROP_ROOT when that is set; otherwise anywhere but a
 *   system directory (below). Relative directories are read from the working directory, as the
 *   file-drop transport reads them (the shipped recipients use `out/<id>`).
 * - A secret file is inside PIFU_HUB_SECRETS_DIR when that is set; otherwise anywhere but a system
 *   directory, except /run/secrets and /run/credentials, where Docker and systemd mount secrets, and
 *   /etc/pifu-hub, the hub's own configuration directory.
 * - Neither may contain NUL or a `..` segment (a path that climbs is refused, not resolved).
 *
 * A path is checked as written (resolved) and, where it or a parent exists, through its symlinks, so a
 * link into /etc does not pass either.
 */
export interface ConfigPathRules {
  /** Absolute; file-drop directories must be inside it. */
  readonly dropRoot?: string | undefined;
  /** Absolute; secret files must be inside it. */
  readonly secretsDir?: string | undefined;
  /** Relative paths are read from here; default the process's working directory. */
  readonly cwd?: string | undefined;
}

/** The host's own directories: programs, libraries, kernel interfaces, state and credentials. */
const systemDirectories = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/sys',
  '/usr',
  '/var/lib',
  '/var/run',
  '/var/spool',
] as const;

/** Where containers and services are handed their secrets, and the hub's own /etc: allowed for secret files. */
const secretHomes = [
  '/run/secrets',
  '/run/credentials',
  '/var/run/secrets',
  '/var/run/credentials',
  '/etc/pifu-hub',
];

/** Structural problems of any config path, whatever the environment: NUL, a `..` segment. */
function pathShapeProblem(path: string): string | undefined {
  if (path.includes('\0')) return 'contains a NUL character; write the path without it';
  if (path.split(/[\\/]/).includes('..')) {
    return `"${path}" climbs with a ".." segment; write the path without it`;
  }
  return undefined;
}

/** A zod string for a config path: non-empty, no NUL, no `..` segment. */
export function configPathSchema(what: string) {
  return z
    .string()
    .min(1, what)
    .superRefine((path, context) => {
      const problem = pathShapeProblem(path);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    });
}

/** Why a file-drop directory may not be used, or undefined when it may. */
export function dropDirectoryProblem(directory: string, rules: ConfigPathRules): string | undefined {
  const shape = pathShapeProblem(directory);
  if (shape !== undefined) return shape;
  const locations = locationsOf(directory, rules.cwd);
  if (rules.dropRoot !== undefined) {
    return insideAll(locations, rules.dropRoot)
      ? undefined
      : `"${directory}" is outside the drop root ${rules.dropRoot} (PIFU_HUB_DROP_ROOT); use a directory inside it`;
  }
  for (const location of locations) {
    const system = systemDirectoryOf(location);
    if (system === undefined) continue;
    return (
      `${shown(directory, location)} is ${system === '/' ? 'the root directory' : `inside the system directory ${system}`}; ` +
      'file drops go in a directory of their own (e.g. /srv/pifu-hub/drop/<recipient>), or set PIFU_HUB_DROP_ROOT'
    );
  }
  return undefined;
}

/** Why a secret file may not be read, or undefined when it may. */
export function secretFileProblem(file: string, rules: ConfigPathRules): string | undefined {
  const shape = pathShapeProblem(file);
  if (shape !== undefined) return shape;
  const locations = locationsOf(file, rules.cwd);
  if (rules.secretsDir !== undefined) {
    return insideAll(locations, rules.secretsDir)
      ? undefined
      : `"${file}" is outside the secrets directory ${rules.secretsDir} (PIFU_HUB_SECRETS_DIR); keep the secret inside it`;
  }
  for (const location of locations) {
    if (secretHomes.some((home) => isInside(location, home))) continue;
    const system = systemDirectoryOf(location);
    if (system === undefined) continue;
    return (
      `${shown(file, location)} is ${system === '/' ? 'the root directory' : `inside the system directory ${system}`}, where the host keeps its own files and credentials; ` +
      "keep the hub's secrets in a directory of their own (or /run/secrets, /run/credentials, /etc/pifu-hub), or set PIFU_HUB_SECRETS_DIR"
    );
  }
  return undefined;
}

/** The paths a config names, by config path (`transport.directory`, `pseudonymKey`). */
export interface ConfigPlaces {
  readonly dropDirectories?: readonly (readonly [path: string, directory: string])[];
  readonly secrets?: readonly (readonly [
    path: string,
    source: { readonly env: string } | { readonly file: string } | undefined,
  ])[];
}

/** Every place problem as `path: message` (a secret file as `path.file: message`). */
export function configPlaceProblems(places: ConfigPlaces, rules: ConfigPathRules): string[] {
  const problems: string[] = [];
  for (const [path, directory] of places.dropDirectories ?? []) {
    const problem = dropDirectoryProblem(directory, rules);
    if (problem !== undefined) problems.push(`${path}: ${problem}`);
  }
  for (const [path, source] of places.secrets ?? []) {
    if (source === undefined || !('file' in source)) continue;
    const problem = secretFileProblem(source.file, rules);
    if (problem !== undefined) problems.push(`${path}.file: ${problem}`);
  }
  return problems;
}

/** The path resolved as written, and through its symlinks (of its longest existing part). */
function locationsOf(path: string, cwd = process.cwd()): string[] {
  const written = resolve(cwd, path);
  const real = realLocation(written);
  return real === written ? [written] : [written, real];
}

function realLocation(path: string): string {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(existing), ...rest);
    } catch {
      // Not there (yet): a drop directory is created on first delivery; resolve what exists above it.
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
}

function isInside(path: string, directory: string): boolean {
  const rel = relative(directory, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep));
}

/** Inside `root` as written and through symlinks (the root's own symlinks resolved alike). */
function insideAll(locations: readonly string[], root: string): boolean {
  const roots = [...new Set([resolve(root), realLocation(resolve(root))])];
  return locations.every((location) => roots.some((candidate) => isInside(location, candidate)));
}

function systemDirectoryOf(location: string): string | undefined {
  if (location === '/') return '/';
  return systemDirectories.find((directory) => isInside(location, directory));
}

/** The path as written, with where it really leads when that differs (through a symlink or `cwd`). */
function shown(path: string, location: string): string {
  return path === location ? `"${path}"` : `"${path}" (${location})`;
}
