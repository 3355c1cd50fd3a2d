import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type ToolName = 'ferretdb' | 'mailpit' | 'jaeger';

const buildScript = fileURLToPath(new URL('../../../scripts/build-tools.sh', import.meta.url));
const builds = new Map<string, Promise<string>>();

/**
 * The path of a tool's binary, built by scripts/build-tools.sh into the cache
 * outside the repository if it is not there yet. The first build takes
 * minutes (the script prints its progress on stderr); later calls are instant.
 */
export function toolBinary(tool: ToolName): Promise<string> {
  let build = builds.get(tool);
  if (build === undefined) {
    build = runBuildScript(tool).then((paths) => paths[0]!);
    // A failed build is not remembered, so a later call tries again.
    build.catch(() => builds.delete(tool));
    builds.set(tool, build);
  }
  return build;
}

/** Builds every tool; meant for a test runner's global setup, which has no timeout. */
export async function buildTools(): Promise<void> {
  // One after the other: each build already keeps both cores busy.
  await toolBinary('ferretdb');
  await toolBinary('mailpit');
}

function runBuildScript(target: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [buildScript, target], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const paths = stdout.split('\n').filter((line) => line !== '');
      if (code === 0 && paths.length > 0) resolve(paths);
      else reject(new Error(`${buildScript} ${target} failed (exit ${code}); its messages are above`));
    });
  });
}
