import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { buildTools, toolBinary } from '@go-micro/testkit/tool-binary.js';

export type Validator = 'compose-check' | 'k8s-check' | 'actionlint';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs a command to its end, in the repository unless `cwd` says otherwise, with exactly `env`
 * (this process's environment by default). A non-zero exit is part of the result, which the
 * checks assert on (`exitCode`, and `all`: stdout and stderr as a person reads them); not
 * starting or not finishing is an error.
 */
export async function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  const { cwd = REPO_ROOT, env = process.env, timeoutMs = 120_000 } = options;
  const result = await execa(command, args, { cwd, env, extendEnv: false, timeout: timeoutMs, all: true, stripFinalNewline: false, reject: false });
  if (result.exitCode === undefined) throw new Error(result.shortMessage);
  return result;
}

export type RunResult = Awaited<ReturnType<typeof run>>;

/** Path of a validator's binary, built from project/checks/validators/<name> into the cache if it is not there yet. */
export const validator = (name: Validator): Promise<string> => toolBinary(name);

export const buildValidators = (): Promise<void> => buildTools('compose-check', 'k8s-check', 'actionlint');

/** Runs a validator; its JSON output (with -print / -json) is parsed by the caller. */
export async function runValidator(name: Validator, args: string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return run(await validator(name), args, env ? { env } : {});
}
