import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type Validator = 'compose-check' | 'k8s-check' | 'actionlint';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const buildScript = fileURLToPath(new URL('../../scripts/build-tools.sh', import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertions on what a person would read. */
  output: string;
}

/** Runs a command to its end and never throws on a non-zero exit: the exit code is part of the result. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        const code = error ? Number(error.code) : 0;
        resolve({ code, stdout, stderr, output: `${stdout}${stderr}` });
      },
    );
  });
}

const built = new Map<string, Promise<string>>();

/** Path of a validator's binary, built from project/checks/validators/<name> into the cache if it is not there yet. */
export function validator(name: Validator): Promise<string> {
  let path = built.get(name);
  if (path === undefined) {
    path = buildScriptOutput(name).then((lines) => lines[0]!);
    built.set(name, path);
  }
  return path;
}

export async function buildValidators(): Promise<void> {
  await buildScriptOutput('compose-check', 'k8s-check', 'actionlint');
}

function buildScriptOutput(...targets: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [buildScript, ...targets], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const lines = stdout.split('\n').filter(Boolean);
      if (code === 0 && lines.length > 0) resolve(lines);
      else reject(new Error(`${buildScript} ${targets.join(' ')} failed (exit ${code}); its messages are above`));
    });
  });
}

/** Runs a validator; its JSON output (with -print / -json) is parsed by the caller. */
export async function runValidator(name: Validator, args: string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return run(await validator(name), args, env ? { env } : {});
}
