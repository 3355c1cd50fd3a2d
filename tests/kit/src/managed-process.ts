import { closeSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { execa, type Options } from 'execa';
import pRetry, { AbortError } from 'p-retry';

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
  /**
   * Asks `ready` again and again until it answers true. Rejects at once, with its output, if
   * the process ends, and after `timeoutMs` saying it did not `what` (e.g. "answer /ready").
   */
  waitUntil(what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void>;
  /** Throws, with its output, if it has ended. */
  assertRunning(): void;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. Resolves with its exit code, or null if it had to be killed. */
  stop(): Promise<number | null>;
}

export interface SpawnOptions {
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string | undefined>;
  /**
   * Appends its standard output to this file instead of reading it here: the child writes to
   * the file itself. For a benchmark: a service's log lines then cost it what a write to a file
   * costs, as under Docker's log driver, not the CPU of the process generating the load.
   */
  stdoutFile?: string | undefined;
  /** The same for its standard error, otherwise kept for error messages. */
  stderrFile?: string | undefined;
  /** Runs it in a process group of its own, which stop() ends whole: for a shell command that starts others. */
  processGroup?: boolean;
}

/**
 * Starts a server with execa that cannot outlive the test process: execa kills it when this
 * process exits, and our Go tools also stop when their standard input closes
 * (GO_MICRO_EXIT_ON_STDIN_EOF), which covers a parent killed outright. The child does not keep
 * the parent's event loop alive.
 */
export function spawnManaged(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  const { cwd, env, stdoutFile, stderrFile, processGroup = false } = options;
  // Descriptors, not paths: execa copies a path's output through this process, but hands a
  // descriptor to the child as it is (documented; its types name only descriptors 1 to 9).
  const toFile = (file: string | undefined) => (file === undefined ? 'pipe' : (openSync(file, 'a') as Options['stdout']));
  const [stdout, stderr] = [toFile(stdoutFile), toFile(stderrFile)];
  const subprocess = execa(command, args, {
    cwd,
    env: { GO_MICRO_EXIT_ON_STDIN_EOF: '1', ...env },
    stdout,
    stderr,
    all: true,
    // Read as it comes, only the end kept: a server's whole output could fill the memory of a long run.
    buffer: false,
    reject: false,
    forceKillAfterDelay: stopGraceMs,
    detached: processGroup,
  });
  for (const fd of [stdout, stderr]) if (typeof fd === 'number') closeSync(fd); // the child has its own copies

  let output = '';
  let ended: string | undefined; // how it ended, once it has
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  subprocess.all?.setEncoding('utf8').on('data', (chunk: string) => {
    output = (output + chunk).slice(-keptOutput);
    notify();
  });
  const finished = subprocess.then((result) => {
    ended = result.failed ? result.shortMessage : `${result.command} exited with code 0`;
    notify();
  });

  subprocess.unref();
  for (const stream of [subprocess.stdin, subprocess.stdout, subprocess.stderr]) (stream as Socket | null)?.unref();

  const commandLine = [command, ...args].join(' ');
  const files = [...new Set([stdoutFile, stderrFile].filter((file) => file !== undefined))];
  const where = files.length === 0 ? 'its output' : `its output (the rest is in ${files.join(' and ')})`;
  const describe = (state: string) => `${name}: ${state}; ${where}:\n${output}`;

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-subprocess.pid!, signal);
    } catch {
      // ESRCH: nothing of it is left.
    }
  };

  return {
    pid: subprocess.pid,
    exitCode: () => subprocess.exitCode,
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
        const timer = setTimeout(() => settle(new Error(describe(`${commandLine} did not print ${pattern} within ${timeoutMs} ms`))), timeoutMs);
        listeners.add(check);
        check();
      });
    },

    async waitUntil(what, ready, timeoutMs) {
      await pRetry(
        async () => {
          if (ended !== undefined) throw new AbortError(describe(ended));
          if (!(await ready())) throw new Error(describe(`${commandLine} did not ${what} within ${timeoutMs} ms`));
        },
        { retries: Infinity, minTimeout: 100, factor: 1, maxRetryTime: timeoutMs },
      );
    },

    async stop() {
      if (ended === undefined) {
        if (processGroup) {
          // The whole group: the shell and whatever it started.
          signalGroup('SIGTERM');
          const forceKill = setTimeout(() => signalGroup('SIGKILL'), stopGraceMs);
          await finished;
          clearTimeout(forceKill);
        } else {
          subprocess.kill(); // SIGTERM, then SIGKILL after forceKillAfterDelay
          await finished;
        }
      }
      return subprocess.exitCode;
    },
  };
}
