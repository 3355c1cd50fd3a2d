import { resolve } from 'node:path';
import { spawnManaged, type ManagedProcess } from './managed-process.js';
import { waitUntil } from './wait-until.js';

/** The repository root, whatever the test's working directory. */
export const repoRoot = resolve(import.meta.dirname, '../../..');

export type ServiceProcess = ManagedProcess & { name: string };

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
): Promise<ServiceProcess> {
  const service = spawnManaged(name, process.execPath, [resolve(repoRoot, dir, 'dist/main.js')], {
    cwd: resolve(repoRoot, dir),
    env: { LOG_PRETTY: 'false', LOG_LEVEL: 'warn', ...env },
  });
  try {
    await waitUntil(
      async () => {
        service.assertRunning();
        const response = await fetch(healthUrl, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
        return response?.ok || undefined;
      },
      { timeoutMs, intervalMs: 100, what: `${name} to answer ${healthUrl}` },
    );
  } catch (err) {
    await service.stop();
    throw new Error(`${(err as Error).message}\n${name} printed:\n${service.output()}`);
  }
  return { ...service, name };
}
