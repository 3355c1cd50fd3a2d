import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests import the workspace packages' TypeScript sources, not their build output.
    conditions: ['@go-micro/source'],
  },
  test: {
    include: ['*/test/**/*.test.ts', 'tests/*/**/*.test.ts'],
    // The containers run apart, with Docker: make test-containers.
    exclude: ['**/node_modules/**', 'tests/containers/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Builds FerretDB and Mailpit once, before any test: the first build takes minutes.
    globalSetup: ['./tests/kit/src/global-setup.ts'],
    reporters: ['default', './tests/kit/src/summary-reporter.ts'],
  },
});
