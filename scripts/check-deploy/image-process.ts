import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { vi } from 'vitest';
import { spawnManaged } from '@go-micro/testkit/managed-process.js';
import type { ReplayedImage } from './dockerfile-replay.js';
import { run, type RunResult } from './validators.js';

/** A replayed image's CMD, running natively as a container would start it. */
export interface ImageProcess {
  name: string;
  output(): string;
  /** The binary the CMD's process runs (from /proc), to prove which Node answers. */
  executable(): Promise<string>;
  /** Runs a command where and as the HEALTHCHECK runs (same folder, environment and PATH). */
  exec(args: string[]): Promise<RunResult>;
  /** Runs the image's own HEALTHCHECK command until it passes; throws with the service's output if it never does. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** SIGTERM, as docker stop sends; resolves with the exit code, or null if it had to be killed. */
  stop(graceMs?: number): Promise<number | null>;
}

// The image runs as its non-root user; natively, when we are root, as nobody.
const asNonRoot = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

export function startImage(name: string, image: ReplayedImage, env: Record<string, string>): ImageProcess {
  const cwd = join(image.root, image.workdir);
  // The base image's Node comes first on PATH (it is in /usr/local/bin there), so `node` is that version.
  const fullEnv = { PATH: `${image.node.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...image.env, ...env };
  const [command, ...args] = image.cmd;
  // Only the image's own environment, as its container would have.
  const child = spawnManaged(name, command!, args, { cwd, env: fullEnv, inheritEnv: false, ...asNonRoot });
  const tail = () => child.output().split('\n').slice(-30).join('\n');
  const exec = ([command, ...args]: string[]) => run(command!, args, { cwd, env: fullEnv, timeoutMs: 5_000 });

  return {
    name,
    output: () => child.output(),
    executable: () => readlink(`/proc/${child.pid}/exe`),
    exec,
    async waitHealthy(timeoutMs = 60_000) {
      if (image.healthcheck[0] !== 'CMD') throw new Error(`${name}: HEALTHCHECK must be exec form, got ${image.healthcheck.join(' ')}`);
      try {
        await vi.waitUntil(
          async () => {
            child.assertRunning();
            return (await exec(image.healthcheck.slice(1))).code === 0;
          },
          { timeout: timeoutMs, interval: 250 },
        );
      } catch (error) {
        throw new Error(`${name}'s HEALTHCHECK did not pass: ${(error as Error).message}\n--- ${name} output ---\n${tail()}`);
      }
    },
    stop: (graceMs = 10_000) => child.stop(graceMs),
  };
}
