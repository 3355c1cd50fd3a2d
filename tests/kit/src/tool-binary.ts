import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The Go programs scripts/build-tools.sh builds: the tests' servers and the deployment checks' validators. */
export type ToolName = 'ferretdb' | 'mailpit' | 'jaeger' | 'compose-check' | 'k8s-check' | 'actionlint';

const buildScript = fileURLToPath(new URL('../../../scripts/build-tools.sh', import.meta.url));
const builds = new Map<ToolName, Promise<string>>();

/**
 * The path of a tool's binary, built by scripts/build-tools.sh into the cache
 * outside the repository if it is not there yet. The first build takes
 * minutes (the script prints its progress on stderr); later calls are instant.
 */
export function toolBinary(tool: ToolName): Promise<string> {
  return builds.get(tool) ?? build([tool])[0]!;
}

/** Builds these tools, one after the other (each build already keeps both cores busy); meant for a test runner's global setup, which has no timeout. */
export async function buildTools(...tools: ToolName[]): Promise<void> {
  const missing = tools.filter((tool) => !builds.has(tool));
  if (missing.length > 0) await Promise.all(build(missing));
}

/** One run of the script for `tools`; it prints their paths on stdout, in order, and its progress on stderr. */
function build(tools: ToolName[]): Promise<string>[] {
  const printed = execa('bash', [buildScript, ...tools], { stderr: 'inherit', lines: true });
  return tools.map((tool, i) => {
    const path = printed.then(({ stdout }) => stdout[i]!);
    builds.set(tool, path);
    // A failed build is not remembered, so a later call tries again.
    path.catch(() => builds.delete(tool));
    return path;
  });
}
