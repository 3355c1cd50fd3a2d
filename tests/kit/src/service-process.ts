import { dirname, resolve } from 'node:path';
import { spawnManaged, type ManagedProcess } from './managed-process.js';
import { repoRoot, serviceNamed, type ServiceName } from './services.js';

// The one place that starts a service as a process: the system, the tests of a single service
// process and the bench all come through here.

export type ServiceProcess = ManagedProcess & { name: string };

export interface ServiceOptions {
  /** Where it listens: its PORT. */
  port: number;
  /** Its environment besides PORT, over LOG_PRETTY=false and LOG_LEVEL=warn. */
  env?: Record<string, string>;
  /** Its name in messages: the service's by default, a replica's (listener-1) where several run. */
  label?: string;
  /** A file for its standard output instead of this process. */
  stdoutFile?: string | undefined;
  /** The `node` to run it with; this process's own by default (the bench can take the images' Node). */
  node?: string | undefined;
}

export interface HealthOptions {
  /** What it must answer 200 on to count as started: /ready (its dependencies answer; the default) or /ping (alive). */
  health?: '/ready' | '/ping';
  /** How long that may take (30 s). */
  timeoutMs?: number;
}

export type StartServiceOptions = ServiceOptions & HealthOptions;

/**
 * Spawns a built service as `make dev` does: `node.sh <folder>/dist/main.js` (the Node flags of
 * its image), in its folder from services.json, with its environment. Does not wait for it: a
 * test of how it refuses to start watches its output and exit code.
 */
export function spawnService(name: ServiceName, options: ServiceOptions): ServiceProcess {
  const { port, env, label = name, stdoutFile, node = process.execPath } = options;
  const folder = resolve(repoRoot, serviceNamed(name).folder);
  const service = spawnManaged(label, resolve(repoRoot, 'node.sh'), [resolve(folder, 'dist/main.js')], {
    cwd: folder,
    stdoutFile,
    // node.sh runs the first `node` on PATH.
    env: { LOG_PRETTY: 'false', LOG_LEVEL: 'warn', PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, ...env, PORT: String(port) },
  });
  return { ...service, name: label };
}

/** Resolves once a service listening on `port` answers its health path with 200; fails, with its output, if it ends first or never does. */
export function serviceHealthy(service: ManagedProcess, port: number, options: HealthOptions = {}): Promise<void> {
  const { health = '/ready', timeoutMs = 30_000 } = options;
  const url = `http://127.0.0.1:${port}${health}`;
  const answers = () => fetch(url, { signal: AbortSignal.timeout(1_000) }).then((response) => response.ok, () => false);
  return service.waitUntil(`answer ${url} with 200`, answers, timeoutMs);
}

/** Spawns a service and resolves once it answers its health path with 200; if it does not, stops it and fails with its output. */
export async function startService(name: ServiceName, options: StartServiceOptions): Promise<ServiceProcess> {
  const service = spawnService(name, options);
  try {
    await serviceHealthy(service, options.port, options);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}
