import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

/** The repository root, whatever the test's working directory. */
export const repoRoot = resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Everything the service printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A test runner that dies must not leave services behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

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
  const child = spawn(process.execPath, [resolve(repoRoot, dir, 'dist/main.js')], {
    cwd: resolve(repoRoot, dir),
    env: { ...process.env, LOG_PRETTY: 'false', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.once('exit', () => running.delete(child));

  const service: ServiceProcess = {
    name,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return service;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await service.stop();
  throw new Error(`${name} did not answer ${healthUrl} within ${timeoutMs} ms:\n${output}`);
}
