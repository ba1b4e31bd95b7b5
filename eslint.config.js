// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Dependency rules (docs/requirements.md#c1): the core in src/ knows no connector, job, fixture or test;
// connectors never reach into each other. Unchecked rules rot, so they are lint errors.
const outsideSrc = ['**/connectors/**', '**/jobs/**', '**/fixtures/**', '**/test/**', '**/bench/**'];

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
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: outsideSrc, message: 'src/ is the core: it imports nothing outside src/.' }] },
      ],
    },
  },
  {
    files: ['connectors/sources/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/transports/**', '**/jobs/**'], message: 'connectors never import each other.' },
          ],
        },
      ],
    },
  },
  {
    files: ['connectors/transports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/sources/**', '**/jobs/**'], message: 'connectors never import each other.' },
          ],
        },
      ],
    },
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
