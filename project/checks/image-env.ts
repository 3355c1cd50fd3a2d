import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES, type ServiceName } from './deployments.js';
import { REPO_ROOT } from './validators.js';

export const dockerfileOf = (service: ServiceName) => join(REPO_ROOT, SERVICES[service], 'Dockerfile');

/**
 * The ENV a container of this image starts with: the `ENV` instructions of the Dockerfile's last
 * stage, in both of their forms (`ENV A=1 B=2` and `ENV A 1`). The deployments' own variables
 * apply on top of these. (The image itself is built and run for real by `make test-containers`.)
 */
export function imageEnv(dockerfile: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of lastStage(dockerfile)) {
    const match = /^ENV\s+(.*)$/i.exec(line);
    if (match === null) continue;
    const body = match[1]!;
    if (!/^[\w.-]+=/.test(body)) {
      const [name, ...value] = body.split(/\s+/);
      env[name!] = value.join(' ');
      continue;
    }
    for (const [, name, quoted, plain] of body.matchAll(/([\w.-]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g)) {
      env[name!] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : plain!;
    }
  }
  return env;
}

/** The command a container of this image runs: the last stage's `CMD`, in its exec (JSON) form. */
export function imageCommand(dockerfile: string): string[] | undefined {
  const cmd = lastStage(dockerfile).findLast((line) => /^CMD\s+\[/i.test(line));
  return cmd === undefined ? undefined : (JSON.parse(cmd.replace(/^CMD\s+/i, '')) as string[]);
}

/** The instructions after the Dockerfile's last FROM, one a line: continuation lines joined, comments dropped. */
function lastStage(dockerfile: string): string[] {
  const lines = readFileSync(dockerfile, 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return lines.slice(lines.findLastIndex((line) => /^FROM\s/i.test(line)) + 1);
}
