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
  it('is declared by the package itself, which does not depend on itself', () => {
    expect(manifest.bin).toEqual({ [manifest.name]: 'bin/pifu-hub.js' });
    expect(existsSync(`${root}${manifest.bin[manifest.name]}`)).toBe(true);
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
  });
});
