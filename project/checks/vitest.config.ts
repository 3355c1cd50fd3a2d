import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `make check-deploy`: the offline deployment checks, apart from the main suite because they
// build their Go validators first (minutes on a fresh machine, nothing after).
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: {
    // The environment check imports each service's config schema from its TypeScript source.
    conditions: ['@go-micro/source'],
  },
  test: {
    include: ['project/checks/**/*.test.ts'],
    // The validators, built once before the test files run in parallel.
    globalSetup: ['project/checks/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './tests/kit/src/summary-reporter.ts'],
  },
});
