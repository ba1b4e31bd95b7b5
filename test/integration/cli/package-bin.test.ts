import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  name: string;
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

/**
 * `npx pifu-hub` from a clone runs the package's own bin (npm >= 9 resolves a local package's bin before
 * the registry), with no self-dependency to link it. This runs the built CLI, so it needs `npm run build`
 * (which `npm install` does through `prepare`).
 */
describe('the pifu-hub binary in a checkout', () => {
  it('is declared by the package itself, with the dev tools apart, and does not depend on itself', () => {
    expect(manifest.bin).toEqual({
      [manifest.name]: 'bin/pifu-hub.js',
      [`${manifest.name}-dev`]: 'bin/pifu-hub-dev.js',
    });
    for (const bin of Object.values(manifest.bin)) expect(existsSync(`${root}${bin}`)).toBe(true);
    expect(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })).not.toContain(
      manifest.name,
    );
  });

  it('runs through npm exec (what `npx pifu-hub --help` does) without the registry', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['exec', '--offline', '--no', '--', 'pifu-hub', '--help'],
      {
        cwd: root,
        env: { ...process.env, npm_config_update_notifier: 'false' },
      },
    );
    expect(stdout).toMatch(/^Usage: pifu-hub \[options\] \[command\]/);
    expect(stdout).toContain('export');
    // The operator binary does not carry the synthetic-data tools.
    expect(stdout).not.toMatch(/^\s+(seed|demo|bench)\b/m);
  });

  it('runs the development tools as pifu-hub-dev the same way', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['exec', '--offline', '--no', '--', 'pifu-hub-dev', '--help'],
      { cwd: root, env: { ...process.env, npm_config_update_notifier: 'false' } },
    );
    expect(stdout).toMatch(/^Usage: pifu-hub-dev \[options\] \[command\]/);
    for (const command of ['demo', 'seed', 'bench'])
      expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });
});
