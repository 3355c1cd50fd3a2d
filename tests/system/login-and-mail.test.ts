import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJSON } from '@go-micro/testkit/http.js';
import { sharedFerretDB, sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type System } from '@go-micro/testkit/system.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { StoredLogs } from '@go-micro/testkit/stored-logs.js';

// The broker, the authentication, logger and mail services as processes, on the run's FerretDB and Mailpit.
let system: System;
let logs: StoredLogs;

beforeAll(async () => {
  system = await startSystem({ services: ['logger', 'authentication', 'mail', 'broker'], mongo: sharedFerretDB(), mail: sharedMailCatcher() });
  logs = new StoredLogs(system.mongo.url);
}, 120_000);
afterAll(async () => {
  await logs?.close();
  await system?.shutdown();
});

/** A user of this test's own, with the seeded admin's password (verysecret), straight into the service's database. */
async function createUser(): Promise<string> {
  const email = `${uniqueName('user')}@example.com`;
  const client = new pg.Client({ connectionString: system.database.url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (email, first_name, last_name, password, user_active)
       SELECT $1, 'Log', 'Tester', password, 1 FROM users WHERE email = 'admin@example.com'`,
      [email],
    );
  } finally {
    await client.end();
  }
  return email;
}

describe('a login through the broker', () => {
  it('when a user logs in, answers Authenticated! and the authentication entry reaches MongoDB once', async () => {
    const email = await createUser();

    const { status, body } = await postJSON(`${system.brokerUrl}/handle`, { action: 'auth', auth: { email, password: 'verysecret' } });

    expect(status).toBe(202);
    expect(body.message).toBe('Authenticated!');
    // The login is recorded before the reply, so the entry is there now.
    const entries = await logs.entries({ name: 'authentication', data: `${email} logged in` });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.created_at).toBeInstanceOf(Date);
  });

  it('when the password is wrong, answers 401 and no entry is written', async () => {
    const email = await createUser();

    const { status } = await postJSON(`${system.brokerUrl}/handle`, { action: 'auth', auth: { email, password: 'wrong' } });

    expect(status).toBe(401);
    expect(await logs.entries({ data: `${email} logged in` })).toHaveLength(0);
  });
});

describe('a mail through the broker', () => {
  it("when the page's Test Mail payload is sent, answers Message sent and the mail reaches the catcher from the sender as John Smith", async () => {
    const to = `${uniqueName('you')}@there.com`;

    const { status, body } = await postJSON(`${system.brokerUrl}/handle`, {
      action: 'mail',
      mail: { from: 'me@example.com', to, subject: 'Test email', message: 'Hello world!' },
    });

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: `Message sent to ${to}` });
    const caught = await system.mail.waitForMessage((m) => m.to.some((a) => a.address === to), 15_000);
    expect(caught.subject).toBe('Test email');
    expect(caught.from).toEqual({ name: 'John Smith', address: 'me@example.com' });
    expect(caught.text).toContain('Hello world!');
  });
});
