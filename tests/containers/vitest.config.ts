import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// `make test-containers` (tests/containers/run.sh): the stack and the swarm run for real with Docker.
// Apart from the main suite: one file at a time, in this order, since the stack, then the swarm,
// take the machine's engine for themselves.
const ORDER = ['bad-states', 'compose', 'swarm'];

class InOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => ORDER.findIndex((name) => file.moduleId.endsWith(`/${name}.test.ts`));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: {
    conditions: ['@go-micro/source'],
  },
  test: {
    include: ['tests/containers/**/*.test.ts'],
    fileParallelism: false,
    sequence: { sequencer: InOrder },
    testTimeout: 180_000,
    hookTimeout: 30 * 60_000,
    pool: 'forks',
    reporters: ['default', './tests/kit/src/summary-reporter.ts'],
  },
});
