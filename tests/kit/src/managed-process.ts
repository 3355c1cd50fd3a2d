import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';

const keptOutput = 16_384;
const stopGraceMs = 5_000;

/** A server started by a test, stopped with it. */
export interface ManagedProcess {
  pid: number | undefined;
  /** Its exit code once it has exited by itself or on SIGTERM; null while it runs or if it was killed. */
  exitCode(): number | null;
  /** The last lines it printed (stdout and stderr), for error messages. */
  output(): string;
  /** Resolves with the first match of `pattern` in its output; rejects if it ends first. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Throws, with its output, if it has ended. */
  assertRunning(): void;
  /**
   * SIGTERM, then SIGKILL if it has not exited after `graceMs`. Resolves with
   * its exit code, or null if it had to be killed.
   */
  stop(graceMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  cwd?: string;
  /** Added to this process's environment, or, with `inheritEnv: false`, the whole environment. */
  env?: Record<string, string | undefined>;
  /** False for a process that must see only `env` (an image's CMD, as its container would). */
  inheritEnv?: boolean;
  /** Run as this user and group (root only). */
  uid?: number;
  gid?: number;
  /**
   * Appends its standard output to this file instead of reading it here (stderr is still kept for
   * error messages). For a benchmark: a service's log lines then cost it what a write to a file
   * costs, as under Docker's log driver, not the CPU of the process generating the load.
   */
  stdoutFile?: string;
}

/**
 * Spawns a server that cannot outlive the test process: it is killed on the
 * process's 'exit' event, and our Go tools also stop when their standard input
 * closes (GO_MICRO_EXIT_ON_STDIN_EOF), which covers a parent killed outright.
 * The child does not keep the parent's event loop alive.
 */
export function spawnManaged(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions = {},
): ManagedProcess {
  const { cwd, env, inheritEnv = true, uid, gid, stdoutFile } = options;
  const stdoutFd = stdoutFile === undefined ? undefined : openSync(stdoutFile, 'a');
  const child = spawn(command, args, {
    stdio: ['pipe', stdoutFd ?? 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
    ...(uid === undefined ? {} : { uid }),
    ...(gid === undefined ? {} : { gid }),
    env: { ...(inheritEnv ? process.env : {}), GO_MICRO_EXIT_ON_STDIN_EOF: '1', ...env },
  });
  let output = '';
  let ended: string | undefined; // how it ended, once it has
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());

  const onOutput = (chunk: string) => {
    output = (output + chunk).slice(-keptOutput);
    notify();
  };
  if (stdoutFd === undefined) child.stdout!.setEncoding('utf8').on('data', onOutput);
  else closeSync(stdoutFd); // the child has its own copy
  child.stderr!.setEncoding('utf8').on('data', onOutput);

  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const endedPromise = new Promise<void>((resolve) => {
    const end = (how: string) => {
      ended ??= how;
      process.off('exit', killOnExit);
      resolve();
      notify();
    };
    child.once('error', (error) => end(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => end(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  });

  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref();

  const where = stdoutFile === undefined ? 'its output' : `its standard output is in ${stdoutFile}; its standard error`;
  const describe = (state: string) => `${name} (${command} ${args.join(' ')}) ${state}; ${where}:\n${output}`;

  return {
    pid: child.pid,
    exitCode: () => child.exitCode,
    output: () => output,

    assertRunning() {
      if (ended !== undefined) throw new Error(describe(ended));
    },

    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const settle = (result: RegExpMatchArray | Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (result instanceof Error) reject(result);
          else resolve(result);
        };
        const check = () => {
          const match = output.match(pattern);
          if (match) settle(match);
          else if (ended !== undefined) settle(new Error(describe(ended)));
        };
        const timer = setTimeout(
          () => settle(new Error(describe(`did not print ${pattern} within ${timeoutMs} ms`))),
          timeoutMs,
        );
        listeners.add(check);
        check();
      });
    },

    async stop(graceMs = stopGraceMs) {
      if (ended === undefined) {
        child.kill('SIGTERM');
        const forceKill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await endedPromise;
        clearTimeout(forceKill);
      }
      return child.exitCode;
    },
  };
}
