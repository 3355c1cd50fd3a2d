import { homedir } from 'node:os';
import { join } from 'node:path';

/** The project's cache outside the repository, as scripts/cache-dir.sh names it. */
export function cacheDir(): string {
  return process.env.GO_MICRO_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'go-micro-ts');
}
