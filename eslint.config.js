// @ts-check
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers: src/ is the core and imports nothing outside src/ (and the
// migrations in schemas/); a connector imports src/ and packages, never another connector; the job
// processors never import a face (jobs/cli, jobs/http), and the faces never import each other.
// Unchecked rules rot: they are lint errors, and test/unit/lint/layer-rules.test.ts proves each fires.
// ESLint matches these globs against the import text, so `**/jobs/**` also catches `../../jobs/x.js`.
// One block per file set: a later `no-restricted-imports` for the same file replaces an earlier one.
const notProduct = ['**/jobs/**', '**/fixtures/**', '**/test/**', '**/bench/**'];
const rowTypeMessage =
  'a row type stays in its repository (*-repository.ts): map the row to a domain object there.';
const restrictImports = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

/** One block per connector folder, so a new connector is covered the day its folder exists. */
function connectorBlocks() {
  const kinds = /** @type {const} */ (['sources', 'transports']);
  return kinds.flatMap((kind) => {
    const names = readdirSync(new URL(`connectors/${kind}/`, import.meta.url), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const otherKind = kinds.find((other) => other !== kind);
    return names.map((name) => ({
      files: [`connectors/${kind}/${name}/**/*.ts`],
      rules: restrictImports(
        { group: notProduct, message: 'a connector imports only src/ and packages.' },
        {
          group: [
            `**/${otherKind}/**`,
            '**/registry.js',
            ...names.filter((other) => other !== name).map((other) => `**/${other}/**`),
          ],
          message:
            'a connector never imports another connector (only the registry names them); share code through src/.',
        },
      ),
    }));
  });
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.pifu-hub/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    rules: restrictImports({
      group: ['**/connectors/**', ...notProduct],
      message: 'src/ is the core: it imports nothing outside src/.',
    }),
  },
  ...connectorBlocks(),
  {
    // One repository per table: a row type (snake_case, as Kysely sees the table) never leaves its
    // repository; everything else sees the camelCase domain object the repository maps it to.
    files: ['**/*.ts'],
    ignores: ['src/db/**', '**/*-repository.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kysely', importNames: ['Selectable'], message: rowTypeMessage }],
          patterns: [
            {
              group: ['**/db/index.js', '**/db/database.js'],
              importNamePattern: 'Table$',
              message: rowTypeMessage,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['jobs/processors/**/*.ts'],
    rules: restrictImports({
      group: ['**/cli/**', '**/http/**'],
      message: 'a processor never imports a face (jobs/cli, jobs/http): both call src/.',
    }),
  },
  {
    files: ['jobs/cli/**/*.ts'],
    rules: restrictImports({
      group: ['**/http/**'],
      message: 'jobs/cli and jobs/http never import each other.',
    }),
  },
  {
    files: ['jobs/http/**/*.ts'],
    rules: restrictImports({
      group: ['**/cli/**'],
      message: 'jobs/cli and jobs/http never import each other.',
    }),
  },
  {
    files: ['jobs/http/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/cli/**'], message: 'jobs/http and jobs/cli never import each other.' },
            {
              group: ['**/src/*', '!**/src/operations'],
              message: 'jobs/http reaches the core only through src/operations.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['jobs/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/http/**'], message: 'jobs/http and jobs/cli never import each other.' }] },
      ],
    },
  },
);
