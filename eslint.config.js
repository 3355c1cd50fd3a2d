// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'offline/**', 'contracts/src/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The page's and the dashboard's scripts run in the browser, as plain JavaScript.
    files: ['front-end/public/**/*.js', 'logger-service/public/**/*.js'],
    languageOptions: { globals: { document: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', setTimeout: 'readonly', window: 'readonly' }, sourceType: 'script' },
  },
  {
    files: ['scripts/**/*.{js,mjs,ts}', '*/scripts/**/*.ts', 'project/**/*.ts', '**/test/**/*.ts', 'tests/**/*.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
);
