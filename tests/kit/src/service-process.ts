import { resolve } from 'node:path';
import pRetry, { AbortError } from 'p-retry';
import { spawnManaged, type ManagedProcess } from './managed-process.js';

/** The repository root, whatever the test's working directory. */
export const repoRoot = resolve(import.meta.dirname, '../../..');

export type ServiceProcess = ManagedProcess & { name: string };

/**
 * What the images set (ENV NODE_OPTIONS in each Dockerfile), and `make dev` too: V8's young
 * generation capped at 4 MiB a semi-space instead of 16, which keeps every service under
 * 100 MB RSS under load for no measurable loss of throughput (tests/bench/README.md).
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=4';

/**
 * Starts a built service as `make dev` does (`node <dir>/dist/main.js` with its
 * environment) and resolves once `healthUrl` answers 200.
 */
export async function startService(
  name: string,
  dir: string,
  env: Record<string, string>,
  healthUrl: string,
  timeoutMs = 30_000,
  stdoutFile?: string,
): Promise<ServiceProcess> {
  const service = spawnManaged(name, process.execPath, [resolve(repoRoot, dir, 'dist/main.js')], {
    cwd: resolve(repoRoot, dir),
    ...(stdoutFile === undefined ? {} : { stdoutFile }),
    env: { LOG_PRETTY: 'false', LOG_LEVEL: 'warn', NODE_OPTIONS: SERVICE_NODE_OPTIONS, ...env },
  });
  try {
    await pRetry(
      async () => {
        try {
          service.assertRunning();
        } catch (error) {
          throw new AbortError(error as Error);
        }
        const response = await fetch(healthUrl, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
        if (!response?.ok) throw new Error(`${name} did not answer ${healthUrl} with 200 within ${timeoutMs} ms`);
      },
      { retries: Infinity, minTimeout: 100, factor: 1, maxRetryTime: timeoutMs },
    );
  } catch (err) {
    await service.stop();
    throw new Error(`${(err as Error).message}\n${name} printed:\n${service.output()}`);
  }
  return { ...service, name };
}
