import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { environmentVariables, secretVariables } from '../../../src/config/index.js';
import { buildProgram } from '../../../jobs/cli/program.js';

const root = new URL('../../../', import.meta.url);
const text = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const composeText = text('docker-compose.yml');
const readme = text('README.md');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] | string; interval?: string; retries?: number };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  ports?: string[];
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file: string }>;
  'x-hub-environment': Record<string, string>;
}
const compose = parse(composeText, { merge: true }) as Compose;
const hubServices = ['migrate', 'worker', 'scheduler', 'serve'] as const;
const service = (name: string): Service => {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
};
const healthTest = (name: string): string => [service(name).healthcheck?.test ?? []].flat().join(' ');

/** `name:/path[:ro]` mounts of a service, as [source, target]. */
const mounts = (name: string): [string, string][] =>
  (service(name).volumes ?? []).map((volume) => volume.split(':').slice(0, 2) as [string, string]);

describe('docker-compose.yml: a deployment that runs, checked as YAML', () => {
  it('runs PostgreSQL, Redis, migrate once, two workers, the scheduler and serve', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['migrate', 'postgres', 'redis', 'scheduler', 'serve', 'worker'].sort(),
    );
    expect(service('worker').deploy?.replicas).toBe(2);
    expect(service('migrate').command).toEqual(['migrate']);
    expect(service('migrate').restart).toBe('no');
    for (const name of ['worker', 'scheduler', 'serve']) {
      expect(service(name).depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    expect(service('serve').command).toEqual(['serve', '--host', '0.0.0.0', '--port', '8080']);
    expect(service('serve').ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it('runs only commands the CLI has, from the image the Dockerfile builds', () => {
    const commands = new Set(buildProgram().commands.map((command) => command.name()));
    for (const name of hubServices) {
      const [command] = [service(name).command ?? []].flat();
      expect(commands).toContain(command);
      expect(service(name).image).toBe('pifu-hub:local');
      expect(service(name).build).toBe('.');
    }
  });

  it('has health checks that check: pg_isready, redis-cli ping, /readyz, `pifu-hub health --role`', () => {
    expect(healthTest('postgres')).toContain('pg_isready');
    expect(healthTest('redis')).toMatch(/redis-cli ping \| grep -q PONG/);
    expect(healthTest('serve')).toContain('http://127.0.0.1:8080/readyz');
    // Workers and the scheduler have no port: the CLI checks PostgreSQL, Redis and their heartbeat.
    const health = buildProgram().commands.find((command) => command.name() === 'health');
    const roles = health?.options.find((option) => option.long === '--role')?.argChoices;
    for (const name of ['worker', 'scheduler']) {
      expect(service(name).healthcheck?.test).toEqual(['CMD', 'pifu-hub', 'health', '--role', name]);
      expect(roles).toContain(name);
      // Beats every 10 s, stale after 30 s: the check must not be so slow that it hides a dead process.
      expect(service(name).healthcheck).toMatchObject({ interval: '30s', retries: 3 });
    }
    expect(text('Dockerfile')).toMatch(/ln -s \/app\/bin\/pifu-hub\.js \/usr\/local\/bin\/pifu-hub/);
  });

  it('keeps Redis on a named volume with append-only persistence', () => {
    expect(mounts('redis')).toEqual([['redis', '/data']]);
    expect(compose.volumes).toHaveProperty('redis');
    expect([service('redis').command].flat().join(' ')).toContain('--appendonly yes');
  });

  it('sets exactly the variables src/config reads, each credential as NAME_FILE from a secret', () => {
    const environment = compose['x-hub-environment'];
    const expected = Object.keys(environmentVariables).map((name) =>
      (secretVariables as readonly string[]).includes(name) ? `${name}_FILE` : name,
    );
    expect(Object.keys(environment).sort()).toEqual(expected.sort());
    for (const name of hubServices) expect(service(name).environment).toEqual(environment);
    for (const name of ['DATABASE_URL', 'SOURCE_DATABASE_URL', 'REDIS_URL']) {
      const path = environment[`${name}_FILE`]!;
      expect(path).toMatch(/^\/run\/secrets\/[a-z_]+$/);
      const secret = path.replace('/run/secrets/', '');
      expect(compose.secrets[secret]?.file).toMatch(/^\.\/deploy\/secrets\//);
      for (const hub of hubServices) expect(service(hub).secrets).toContain(secret);
    }
    // The records store is read through its own (read-only) role, not the hub's.
    expect(environment['SOURCE_DATABASE_URL_FILE']).not.toBe(environment['DATABASE_URL_FILE']);
  });

  it('holds no credential: no password, no URL with user information, secrets only as files', () => {
    expect(composeText).not.toMatch(/[a-z]+:\/\/[^/\s'"]*:[^/\s'"]*@/i);
    expect(composeText).not.toMatch(/PASSWORD:/);
    expect(service('postgres').environment?.['POSTGRES_PASSWORD_FILE']).toBe(
      '/run/secrets/postgres_password',
    );
    for (const secret of Object.values(compose.secrets))
      expect(secret.file).toMatch(/^\.\/deploy\/secrets\//);
    expect(text('.gitignore')).toContain('deploy/secrets/');
    expect(text('.dockerignore')).toContain('deploy/secrets');
  });

  it('keeps the spool and the file drops on named volumes, outside the source tree', () => {
    const environment = compose['x-hub-environment'];
    for (const name of ['worker', 'scheduler', 'serve']) {
      const byTarget = new Map(mounts(name).map(([source, target]) => [target, source]));
      expect(byTarget.get('/var/lib/pifu-hub')).toBe('spool');
      expect(environment['PIFU_HUB_SPOOL_DIR']).toBe('/var/lib/pifu-hub/spool');
      expect(byTarget.get(environment['PIFU_HUB_DROP_ROOT']!)).toBe('drops');
      expect(mounts(name).every(([source]) => source !== '.')).toBe(true);
    }
    expect(Object.keys(compose.volumes).sort()).toEqual(['drops', 'postgres', 'redis', 'spool']);
  });

  it('mounts the roles file where PIFU_HUB_ROLES_FILE points, granting the image user, in every hub container', () => {
    const rolesPath = compose['x-hub-environment']['PIFU_HUB_ROLES_FILE'];
    for (const name of hubServices) {
      expect(mounts(name)).toContainEqual(['./deploy/roles.json', rolesPath]);
    }
    const roles = JSON.parse(text('deploy/roles.json')) as Record<string, string[]>;
    const user = /useradd [^\n]* (\w+)\n/.exec(text('Dockerfile'))?.[1];
    expect(roles[user!]).toEqual(expect.arrayContaining(['operator', 'config-admin']));
  });

  it('gives the records store a role that can only read', () => {
    const init = text('deploy/postgres-init.sh');
    expect(init).toContain('ALTER ROLE pifu_reader SET default_transaction_read_only = on');
    const grants = [...init.matchAll(/GRANT ([A-Z, ]+) ON .* TO pifu_reader/g)].map((match) => match[1]);
    expect(grants.sort()).toEqual(['CONNECT', 'SELECT', 'USAGE']);
    expect(text('deploy/make-secrets.sh')).toMatch(/records_database_url "postgres:\/\/pifu_reader:/);
  });

  it('builds a multi-stage image: dist/ from a build stage, production dependencies, a non-root user', () => {
    const dockerfile = text('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/src\/dist \.\/dist$/m);
    expect(dockerfile).toMatch(/^USER pifu$/m);
  });

  it('README names, and docs/configuration.md documents, every environment variable', () => {
    const configuration = text('docs/configuration.md');
    for (const name of Object.keys(environmentVariables)) {
      expect(readme).toContain(`\`${name}\``);
      expect(configuration).toMatch(new RegExp(`^- \`${name}\`: \\S`, 'm'));
    }
  });

  it('README says how to bring it up and reach the dashboard; docs/deployment.md says the rest', () => {
    expect(readme).toContain('docker compose up');
    expect(readme).toContain('http://127.0.0.1:8080/');
    expect(readme).toContain('docs/deployment.md');
    expect(text('docs/deployment.md')).toContain('sh deploy/make-secrets.sh');
  });

  const composePlugin = (() => {
    try {
      execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  (composePlugin ? it : it.skip)('passes `docker compose config` (where the compose plugin exists)', () => {
    execFileSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '--quiet'], {
      cwd: root.pathname,
      stdio: 'pipe',
    });
  });
});
