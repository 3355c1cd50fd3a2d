import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `make check-deploy`: the deployment checks, apart from the main suite because they build
// validators and replay every image's build (minutes on a fresh machine, seconds after).
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: {
    // The environment check imports each service's config schema from its TypeScript source.
    conditions: ['@go-micro/source'],
  },
  test: {
    include: ['scripts/check-deploy/**/*.test.ts'],
    // The validators, and FerretDB and Mailpit for the services started natively, built once.
    globalSetup: ['scripts/check-deploy/global-setup.ts', 'tests/kit/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './tests/kit/src/summary-reporter.ts'],
  },
});
