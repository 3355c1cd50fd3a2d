import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '@go-micro/testkit/free-port.js';
import { postJSON } from '@go-micro/testkit/http.js';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { spawnService, startService } from '@go-micro/testkit/service-process.js';

// The authentication service as a process, started as swarm.production.yml and project/k8s start it.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const NOWHERE = 'http://127.0.0.1:9';
// Production refuses RabbitMQ's guest login; nothing listens here (the outbox publisher only retries in the background).
const RABBIT_NOWHERE = `amqp://go-micro:${randomBytes(32).toString('hex')}@127.0.0.1:9`;

describe('the authentication service in production (DEPLOY_ENV=production)', () => {
  it('when no admin password is given, refuses to start, saying why, and exits 1', async () => {
    const auth = spawnService('authentication', {
      port: await freePort(),
      env: { DEPLOY_ENV: 'production', DSN: db.url, LOGGER_SERVICE_URL: NOWHERE, RABBIT_URL: RABBIT_NOWHERE },
    });
    // The fatal line is JSON: its quotes are escaped.
    await auth.waitForOutput(/refusing to start in production: the admin would get the course's password \\"verysecret\\"; set ADMIN_PASSWORD_FILE/, 20_000);
    expect(await vi.waitUntil(() => auth.exitCode() ?? false, { timeout: 10_000 })).toBe(1);
  });

  it("when an earlier start seeded the course's password, the secret replaces it", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { DSN: db.url, LOGGER_SERVICE_URL: NOWHERE };
    // A development start seeds admin@example.com / verysecret.
    await (await startService('authentication', { port, env })).stop();
    const secret = join(await mkdtemp(join(tmpdir(), 'secret-')), 'admin_password');
    const password = randomBytes(16).toString('hex');
    await writeFile(secret, `${password}\n`);

    const production = await startService('authentication', {
      port,
      env: { ...env, DEPLOY_ENV: 'production', ADMIN_PASSWORD_FILE: secret, RABBIT_URL: RABBIT_NOWHERE },
    });
    try {
      const login = (password: string) => postJSON(`${url}/authenticate`, { email: 'admin@example.com', password });
      expect((await login('verysecret')).status).toBe(401);
      expect((await login(password)).status).toBe(202);
    } finally {
      await production.stop();
    }
  });
});
