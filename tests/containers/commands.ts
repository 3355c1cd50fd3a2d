import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Every command's whole output goes here, one file per run of the suite. */
export const LOG_DIR = join(REPO_ROOT, 'test-results/containers');
const LOG_FILE = join(LOG_DIR, 'commands.log');

export interface Ran {
  code: number;
  stdout: string;
  /** stdout and stderr as they came. */
  output: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Fail unless the exit code is 0 (default); false returns the result whatever the code. */
  check?: boolean;
  timeoutMs?: number;
  /** Show the lines of the project's own scripts (stack:, images:, engine:, banners) as they come. */
  echo?: boolean;
}

// The lines a person should see while `make up` and friends work; builds and compose go to the log.
const OUR_LINES = /^(stack|images|engine|npm-cache|build-tools): |^!! /;

/**
 * Runs a command in the repository, its output appended to test-results/containers/commands.log.
 * Throws on a non-zero exit (unless check is false) with the command's last lines, so a failure
 * says what went wrong without opening the log.
 */
export async function run(command: string, args: string[], options: RunOptions = {}): Promise<Ran> {
  const { env = {}, check = true, timeoutMs = 10 * 60_000, echo = false } = options;
  mkdirSync(LOG_DIR, { recursive: true });
  const shown = `${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${command} ${args.join(' ')}`;
  appendFileSync(LOG_FILE, `\n$ ${shown}\n`);
  const toLog = { file: LOG_FILE, append: true };
  const subprocess = execa(command, args, { cwd: REPO_ROOT, env, stdout: ['pipe', toLog], stderr: ['pipe', toLog], all: true, timeout: timeoutMs, reject: false });
  if (echo) for await (const line of subprocess.iterable({ from: 'all' })) if (OUR_LINES.test(line)) process.stderr.write(`${line}\n`);
  const result = await subprocess;
  if (result.exitCode === undefined && !result.isTerminated) throw new Error(result.shortMessage); // it could not start
  const ran = { code: result.exitCode ?? 128, stdout: result.stdout, output: result.all };
  if (!check || result.exitCode === 0) return ran;
  const tail = result.all.trimEnd().split('\n').slice(-25).join('\n');
  const why = result.timedOut ? `was stopped after ${timeoutMs / 1000} s` : result.signal ? `was stopped by ${result.signal}` : `exited with ${result.exitCode}`;
  throw new Error(`\`${shown}\` ${why}; its last lines (all of it: ${LOG_FILE}):\n${tail}`);
}

/** `make <target>` from the repository root with these variables. */
export const make = (target: string, env: Record<string, string>, options: Omit<RunOptions, 'env'> = {}) =>
  run('make', ['--no-print-directory', target], { echo: true, ...options, env });

/** The Docker client; its stdout, trimmed. */
export async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args)).stdout.trim();
}

/** Non-empty lines of a command's output. */
export const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean);

/** Polls `probe` until it returns something other than undefined or false, or fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000, intervalMs = 1_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
