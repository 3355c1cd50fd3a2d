import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJSON } from '@go-micro/testkit/http.js';
import { sharedFerretDB, sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type System } from '@go-micro/testkit/system.js';
import { expectAllAlive, MARK } from './hostile-kit.js';

// The broker reached directly, at its defaults, as natively every client reaches it (on loopback):
// X-Forwarded-For is then the client's own word, and must not make one client many.
let system: System;

/** LOGIN_PER_MINUTE's default: logins one client address may try a minute. */
const LOGINS_PER_MINUTE = 20;

beforeAll(async () => {
  system = await startSystem({ services: ['logger', 'authentication', 'broker'], mongo: sharedFerretDB(), mail: sharedMailCatcher() });
}, 120_000);
afterAll(async () => {
  await system?.shutdown();
});

describe('X-Forwarded-For from a client', () => {
  it('when one client names another address on every login, it is still one client: 429 with Retry-After after LOGIN_PER_MINUTE tries', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof postJSON>> | undefined;
    for (let i = 0; i < LOGINS_PER_MINUTE + 2; i++) {
      last = await postJSON(
        `${system.brokerUrl}/handle`,
        { action: 'auth', auth: { email: `${MARK}-${randomUUID()}@example.com`, password: 'a guess' } },
        { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i + 1}` },
      );
      statuses.push(last.status);
    }

    expect(statuses).toEqual([...Array(LOGINS_PER_MINUTE).fill(401), 429, 429]);
    expect(last!.body.message).toMatch(/^too many login attempts; try again in \d+ s$/);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectAllAlive(system, ['logger', 'authentication', 'broker']);
  }, 120_000);
});
