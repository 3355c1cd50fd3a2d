import { dirname, resolve } from 'node:path';
import pRetry, { AbortError } from 'p-retry';
import { spawnManaged, type ManagedProcess } from './managed-process.js';
import { repoRoot } from './services.js';

export { repoRoot };

export type ServiceProcess = ManagedProcess & { name: string };

export interface StartServiceOptions {
  /** How long it may take to answer `healthUrl` (30 s). */
  timeoutMs?: number;
  /** A file for its standard output instead of this process. */
  stdoutFile?: string | undefined;
  /** The `node` to run it with; this process's own by default (the bench can take the images' Node). */
  node?: string | undefined;
  /** Called with the process as soon as it is spawned, before it is healthy (to watch its output). */
  onSpawn?: (service: ServiceProcess) => void;
}

/**
 * Starts a built service as `make dev` does (`node.sh <dir>/dist/main.js`, the Node flags of
 * its image, with its environment) and resolves once `healthUrl` answers 200.
 */
export async function startService(
  name: string,
  dir: string,
  env: Record<string, string>,
  healthUrl: string,
  options: StartServiceOptions = {},
): Promise<ServiceProcess> {
  const { timeoutMs = 30_000, stdoutFile, node = process.execPath, onSpawn } = options;
  const service = spawnManaged(name, resolve(repoRoot, 'node.sh'), [resolve(repoRoot, dir, 'dist/main.js')], {
    cwd: resolve(repoRoot, dir),
    ...(stdoutFile === undefined ? {} : { stdoutFile }),
    // node.sh runs the first `node` on PATH.
    env: { LOG_PRETTY: 'false', LOG_LEVEL: 'warn', PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, ...env },
  });
  onSpawn?.({ ...service, name });
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
