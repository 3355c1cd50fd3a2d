import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { freePort } from '@go-micro/testkit/free-port.js';
import { postJSON } from '@go-micro/testkit/http.js';
import { POSTGRES_ADMIN_URL } from '@go-micro/testkit/postgres.js';
import { sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type System } from '@go-micro/testkit/system.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';

// One outage, one answer: every route and transport maps a dependency that is down the same way,
// names the service, and never shows an address or a driver's words (README, "When something is down").
let ferret: FerretDB;
let system: System;

beforeAll(async () => {
  ferret = await startFerretDB();
  system = await startSystem({
    services: ['logger', 'authentication', 'mail', 'broker'],
    mongo: ferret,
    mail: sharedMailCatcher(),
    aliveOnly: ['mail'],
    env: {
      logger: { MONGO_TIMEOUT_MS: '500' },
      // A mail server that is not there: the mail service starts all the same, not ready.
      mail: { MAIL_HOST: '127.0.0.1', MAIL_PORT: String(await freePort()) },
    },
  }).catch(async (err: unknown) => {
    await ferret.stop();
    throw err;
  });
}, 120_000);
afterAll(async () => {
  await system?.shutdown();
  await ferret?.stop();
});

const ADDRESS = /\d+\.\d+\.\d+\.\d+|localhost|ECONN|EADDR|:\d{2,5}\b/;
const logBody = () => ({ action: 'log', log: { name: uniqueName('outage'), data: 'x' } });

describe('when MongoDB is down', () => {
  it('the JSON-RPC, gRPC and REST routes of the broker answer alike: 503 logger-service failed: MongoDB is unavailable', async () => {
    await ferret.stop();

    const replies = await Promise.all(['/handle', '/log-grpc', '/log-http'].map((path) => postJSON(`${system.brokerUrl}${path}`, logBody())));

    expect(replies.map(({ status, body }) => [status, body])).toEqual(
      Array(3).fill([503, { error: true, message: 'logger-service failed: MongoDB is unavailable' }]),
    );
    const ready = await fetch(`${system.url('logger')}/ready`);
    expect([ready.status, await ready.json()]).toEqual([503, { error: true, message: 'MongoDB is unavailable' }]);
    expect((await fetch(`${system.url('logger')}/ping`)).status).toBe(200);
  });
});

describe('when the mail server is down', () => {
  it('the mail action answers 503 naming it, without its address', async () => {
    const { status, body } = await postJSON(`${system.brokerUrl}/handle`, {
      action: 'mail',
      mail: { from: 'me@example.com', to: 'you@there.com', subject: 'Outage', message: 'x' },
    });

    expect([status, body]).toEqual([503, { error: true, message: 'mail-service failed: mail server is unavailable' }]);
    expect(body.message).not.toMatch(ADDRESS);
    expect((await fetch(`${system.url('mail')}/ready`)).status).toBe(503);
  });
});

describe("when the authentication service's database goes away", () => {
  it('a login answers 503 authentication-service failed: Postgres is unavailable', async () => {
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE ${system.database.name} WITH (FORCE)`);
    await admin.end();

    const { status, body } = await postJSON(`${system.brokerUrl}/handle`, { action: 'auth', auth: { email: 'admin@example.com', password: 'verysecret' } });

    expect([status, body]).toEqual([503, { error: true, message: 'authentication-service failed: Postgres is unavailable' }]);
    expect((await fetch(`${system.url('authentication')}/ready`)).status).toBe(503);
  });
});
