// The secret `make dev` signs the dashboard's session cookies with: made once, kept in the local
// cache (scripts/cache-dir.sh, outside the repository, so never committed), and read on every
// start. The sessions live in MongoDB; signed with the same secret, they survive a restart.
// Run from the repository's root, as dev.mjs is.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the logger requires of SESSION_SECRET. */
const MIN_CHARS = 32;

/** SESSION_SECRET from the environment if set; else the cached one, made the first time. */
export function devSessionSecret(env = process.env) {
  if (env.SESSION_SECRET) return env.SESSION_SECRET;
  const dir = execFileSync('scripts/cache-dir.sh', { encoding: 'utf8', env }).trim();
  const file = join(dir, 'dev-session-secret');
  const kept = read(file);
  if (kept.length >= MIN_CHARS) return kept;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  return read(file);
}

function read(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
