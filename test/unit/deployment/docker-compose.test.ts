import { readFileSync } from 'node:fs';
import { environmentVariables } from '../../../src/config/index.js';
import { buildProgram } from '../../../jobs/cli/program.js';

const root = new URL('../../../', import.meta.url);
const compose = readFileSync(new URL('docker-compose.yml', root), 'utf8');
const readme = readFileSync(new URL('README.md', root), 'utf8');

/** The keys of the `x-hub-environment` block: Docker is not available here, so the file is read as text. */
function composeEnvironment(): string[] {
  const block = compose.split('x-hub-environment: &hub-environment\n')[1]!.split('\n\n')[0]!;
  return block
    .split('\n')
    .map((line) => /^ {2}([A-Z_]+):/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

describe('deployment files stay in step with the configuration code', () => {
  it('docker-compose.yml sets exactly the environment variables src/config reads', () => {
    expect(composeEnvironment().sort()).toEqual(Object.keys(environmentVariables).sort());
  });

  it('README names, and docs/configuration.md documents, every environment variable', () => {
    const configuration = readFileSync(new URL('docs/configuration.md', root), 'utf8');
    for (const name of Object.keys(environmentVariables)) {
      expect(readme).toContain(`\`${name}\``);
      expect(configuration).toMatch(new RegExp(`^- \`${name}\`: \\S`, 'm'));
    }
  });

  it('docker-compose.yml runs only commands the CLI has', () => {
    const commands = new Set(buildProgram().commands.map((command) => command.name()));
    const used = [...compose.matchAll(/'bin\/pifu-hub\.js', '([a-z-]+)'|bin\/pifu-hub\.js ([a-z-]+)/g)].map(
      (match) => match[1] ?? match[2],
    );
    expect(used.length).toBeGreaterThanOrEqual(3);
    for (const command of used) expect(commands).toContain(command);
  });

  it('has health checks for the database and Redis, which the hub services wait for', () => {
    expect(compose).toMatch(/postgres:[\s\S]*healthcheck:[\s\S]*pg_isready/);
    expect(compose).toMatch(/redis:[\s\S]*healthcheck:[\s\S]*redis-cli', 'ping/);
    expect(compose).toContain('condition: service_healthy');
  });
});
