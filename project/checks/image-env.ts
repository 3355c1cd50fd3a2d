import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES, type ServiceName } from './deployments.js';
import { REPO_ROOT } from './validators.js';

/** The one Dockerfile every service's image is built from. */
export const DOCKERFILE = join(REPO_ROOT, 'Dockerfile');

/** The ENV a container of a service's image starts with: the image built with SERVICE set to its folder. */
export const serviceImageEnv = (service: ServiceName) => imageEnv(DOCKERFILE, { SERVICE: SERVICES[service] });

/**
 * The ENV a container of this image starts with: the `ENV` instructions of the Dockerfile's last
 * stage, in both of their forms (`ENV A=1 B=2` and `ENV A 1`), with `${ARG}` replaced by the build
 * arguments. The deployments' own variables apply on top of these. (The image itself is built
 * and run for real by `make test-containers`.)
 */
export function imageEnv(dockerfile: string, args: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  const withArgs = (value: string) => value.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? '');
  for (const line of lastStage(dockerfile).map(withArgs)) {
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

/** The instructions after the Dockerfile's last FROM, one a line: continuation lines joined, comments dropped. */
function lastStage(dockerfile: string): string[] {
  const lines = readFileSync(dockerfile, 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return lines.slice(lines.findLastIndex((line) => /^FROM\s/i.test(line)) + 1);
}
