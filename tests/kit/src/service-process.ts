import { resolve } from 'node:path';
import pRetry, { AbortError } from 'p-retry';
import { spawnManaged, type ManagedProcess } from './managed-process.js';

/** The repository root, whatever the test's working directory. */
export const repoRoot = resolve(import.meta.dirname, '../../..');

export type ServiceProcess = ManagedProcess & { name: string };

/**
 * What the images set (ENV NODE_OPTIONS in each Dockerfile), and `make dev` too: V8's young
 * generation capped at 4 MiB a semi-space instead of 16, 10 to 25 MB less RSS under load, the
 * logging routes as fast (the broker's `POST /` spends about a tenth more CPU a request;
 * tests/bench/README.md, memory). And one V8 worker thread
 * instead of four: V8 hands parts of each garbage collection to its workers, and on the broker's
 * gRPC route the four of them woke about once every four requests and took 80-160 µs of CPU a
 * request; with one, 0.05-0.07 wake-ups and 36-84 µs, and the broker's `POST /` answered 13-15%
 * more requests a second at 10 and 50 connections (tests/bench/README.md).
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=4 --v8-pool-size=1';

/**
 * What the images set (ENV GLIBC_TUNABLES), and `make dev` too: glibc's malloc hands a freed block
 * of 128 KiB or more back to the kernel. By default it raises that threshold to the size of each
 * such block freed (up to 32 MiB), so V8's compiler zones and other large scratch blocks come from
 * its heap afterwards and stay resident; fixed at 128 KiB, the logger, broker and mail service
 * peaked 3-6 MB lower under the bench, at the same throughput (tests/bench/README.md, memory).
 */
export const SERVICE_GLIBC_TUNABLES = 'glibc.malloc.mmap_threshold=131072';

/**
 * What the images' command line adds (CMD in each Dockerfile), as NODE_OPTIONS cannot carry it:
 * V8 lets the old generation grow to 1.5 times what survived the last full collection before the
 * next, instead of up to 4 times. Under the bench a service holds ~30 MB live and, at the default,
 * let garbage pile up to 110 MB of heap (RSS peaks of 180 to 280 MB); with it, peaks of 105 to
 * 115 MB, for a few more short collections. And WebAssembly is compiled by Liftoff alone: undici's
 * HTTP parser is WebAssembly, and with V8's two compilers its first use raised a service's memory
 * by 25-40 MB for a moment (the broker's peak from 128 to 104 MB), for no CPU a request that could
 * be measured (tests/bench/README.md, memory). Maglev, the mid-tier optimizing compiler, is off: Node 20
 * has it off anyway; on the images' Node 24 turning it off lowered the broker's peak by 5-13 MB and left
 * the logging routes as fast or faster (tests/bench/README.md).
 */
export const SERVICE_NODE_FLAGS = ['--heap-growing-percent=50', '--liftoff-only', '--no-maglev'] as const;

export interface StartServiceOptions {
  /** How long it may take to answer `healthUrl` (30 s). */
  timeoutMs?: number;
  /** A file for its standard output instead of this process. */
  stdoutFile?: string | undefined;
  /** The `node` to run it with; this process's own by default (the bench can take the images' Node). */
  node?: string | undefined;
}

/**
 * Starts a built service as `make dev` does (`node <dir>/dist/main.js` with its
 * environment) and resolves once `healthUrl` answers 200.
 */
export async function startService(
  name: string,
  dir: string,
  env: Record<string, string>,
  healthUrl: string,
  options: StartServiceOptions = {},
): Promise<ServiceProcess> {
  const { timeoutMs = 30_000, stdoutFile, node = process.execPath } = options;
  const service = spawnManaged(name, node, [...SERVICE_NODE_FLAGS, resolve(repoRoot, dir, 'dist/main.js')], {
    cwd: resolve(repoRoot, dir),
    ...(stdoutFile === undefined ? {} : { stdoutFile }),
    env: { LOG_PRETTY: 'false', LOG_LEVEL: 'warn', NODE_OPTIONS: SERVICE_NODE_OPTIONS, GLIBC_TUNABLES: SERVICE_GLIBC_TUNABLES, ...env },
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
