import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedFerretDB, sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type System } from '@go-micro/testkit/system.js';

// `make dev` signs the dashboard's sessions with one secret, made once into the local cache
// (scripts/dev-session-secret.mjs), so a session stored in MongoDB outlives a restart of the logger.
let cache: string;
let system: System | undefined;

beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'go-micro-cache-'));
});
afterAll(async () => {
  await system?.shutdown();
  await rm(cache, { recursive: true, force: true });
});

/** The secret dev.mjs would give the logger, read in a process of its own, as `make dev` runs it. */
async function devSecret(env: Record<string, string> = {}): Promise<string> {
  const script = "import('./scripts/dev-session-secret.mjs').then((m) => process.stdout.write(m.devSessionSecret()))";
  const { SESSION_SECRET: _ignored, ...inherited } = process.env;
  const { stdout } = await execa(process.execPath, ['--input-type=module', '-e', script], { env: { ...inherited, GO_MICRO_CACHE: cache, ...env }, extendEnv: false });
  return stdout;
}

/** Signs the admin in to the dashboard at `url` as a browser would, and returns the session cookie. */
async function signIn(url: string): Promise<string> {
  const page = await fetch(`${url}/login`);
  const csrfCookie = page.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const form = new URLSearchParams({ _csrf: token, email: 'admin@example.com', password: 'verysecret' });
  const signedIn = await fetch(`${url}/login`, { method: 'POST', headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' }, body: form, redirect: 'manual' });
  expect([signedIn.status, signedIn.headers.get('location')]).toEqual([303, '/admin/dashboard']);
  return signedIn.headers.getSetCookie().find((cookie) => cookie.startsWith('logger.sid='))!.split(';')[0]!;
}

describe('make dev: one session secret', () => {
  it('is made once into the local cache, readable by its owner only, and read again on every start; SESSION_SECRET set wins', async () => {
    const first = await devSecret();
    const again = await devSecret();

    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(again).toBe(first);
    expect((await stat(join(cache, 'dev-session-secret'))).mode & 0o777).toBe(0o600);
    expect(await devSecret({ SESSION_SECRET: 'x'.repeat(40) })).toBe('x'.repeat(40));
  });

  it("when the logger restarts with it, an admin's dashboard session still holds", async () => {
    system = await startSystem({ services: ['logger', 'authentication'], mongo: sharedFerretDB(), mail: sharedMailCatcher(), env: { logger: { SESSION_SECRET: await devSecret() } } });
    const dashboard = system.url('logger');
    const session = await signIn(dashboard);

    await system.stop('logger');
    await system.start('logger');

    const page = await fetch(`${dashboard}/admin/dashboard`, { headers: { cookie: session }, redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Signed in as admin@example.com');
  }, 120_000);
});
