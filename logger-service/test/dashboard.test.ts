import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { createLogger } from '@go-micro/toolkit';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { envelope, startStandIn, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { createApp } from '../src/app.js';
import { adminLogin } from '../src/dashboard/admin-login.js';
import { dashboardSession } from '../src/dashboard/session.js';
import { LogsAdminStore } from '../src/logs-admin-store.js';
import { LogsStore } from '../src/logs-store.js';
import { createMongoClient } from '../src/mongo-client.js';

// A FerretDB of this file's own: "delete all" empties the logs collection.
let ferret: FerretDB;
let mongo: MongoClient;
let auth: StandIn;
let app: RunningApp;
let logs: LogsStore;

beforeAll(async () => {
  ferret = await startFerretDB();
  mongo = createMongoClient({ MONGO_URL: ferret.url, MONGO_USERNAME: undefined, MONGO_PASSWORD: undefined, MONGO_TIMEOUT_MS: 2_000 });
  logs = new LogsStore(mongo);
  await logs.ensureIndexes();
  // authentication-service's POST /token as it answers: the admin, a user who is not one, and everyone else refused.
  auth = await startStandIn(({ path, body }) => {
    const { email, password } = body as { email?: string; password?: string };
    if (path !== '/token') return envelope(404, 'not found');
    if (email === 'admin@example.com' && password === 'verysecret') {
      return envelope(200, 'Token for admin@example.com', { token: 'x.y.z', user: { id: 1, email, first_name: 'Admin', admin: true } });
    }
    if (email === 'user@example.com' && password === 'userpassword1') {
      return envelope(200, 'Token for user@example.com', { token: 'x.y.z', user: { id: 2, email, first_name: 'Plain', admin: false } });
    }
    return envelope(401, 'invalid credentials');
  });
  const logger = createLogger('logger-service', { level: 'silent', pretty: false });
  const dashboard = {
    entries: new LogsAdminStore(mongo),
    login: adminLogin({ baseUrl: auth.url }),
    session: dashboardSession({ mongo, secret: 'a-test-session-secret-of-32-characters-or-more', secureCookie: false }),
  };
  app = await startApp(createApp({ logger, logs, dashboard }));
});
afterAll(async () => {
  await app?.close();
  await auth?.close();
  await mongo?.close();
  await ferret?.stop();
});

/** A browser of sorts: keeps the session cookie, follows nothing, reads the page's CSRF token. */
class Visitor {
  cookie = '';
  setCookie = '';

  async get(path: string) {
    return this.request('GET', path);
  }

  async post(path: string, form: Record<string, string>) {
    return this.request('POST', path, new URLSearchParams(form).toString());
  }

  /** The CSRF token of the page at `path`. */
  async token(path = '/login'): Promise<string> {
    const { html } = await this.get(path);
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!match) throw new Error(`no CSRF token on ${path}`);
    return match[1]!;
  }

  async login(email: string, password: string) {
    return this.post('/login', { _csrf: await this.token(), email, password });
  }

  private async request(method: string, path: string, body?: string) {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(`${app.url}${path}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    const set = response.headers.get('set-cookie');
    if (set) {
      this.setCookie = set;
      this.cookie = set.split(';')[0]!;
    }
    return { status: response.status, location: response.headers.get('location'), html: await response.text() };
  }
}

async function signedInAdmin(): Promise<Visitor> {
  const visitor = new Visitor();
  const { status, location } = await visitor.login('admin@example.com', 'verysecret');
  expect([status, location]).toEqual([303, '/admin/logs']);
  return visitor;
}

describe('logger dashboard: who gets in', () => {
  it.each(['/admin', '/admin/logs', '/admin/logs/delete-all', '/admin/logs/0123456789abcdef01234567'])('when %s is asked for without a session, redirects to /login', async (path) => {
    const { status, location } = await new Visitor().get(path);
    expect([status, location]).toEqual([303, '/login']);
  });

  it('when the admin logs in, sets an httpOnly SameSite=Lax session cookie, gives a new session id, and shows the entries', async () => {
    const visitor = new Visitor();
    await visitor.token();
    const before = visitor.cookie;

    const { status, location } = await visitor.login('admin@example.com', 'verysecret');

    expect([status, location]).toEqual([303, '/admin/logs']);
    expect(visitor.setCookie).toMatch(/^logger\.sid=/);
    expect(visitor.setCookie).toMatch(/HttpOnly/i);
    expect(visitor.setCookie).toMatch(/SameSite=Lax/i);
    expect(visitor.cookie).not.toBe(before);
    const page = await visitor.get('/admin/logs');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Signed in as admin@example.com');
  });

  it('when the password is wrong, shows the login form again with invalid credentials, status 401', async () => {
    const { status, html } = await new Visitor().login('admin@example.com', 'wrong');
    expect(status).toBe(401);
    expect(html).toContain('invalid credentials');
    expect(html).toContain('name="_csrf"');
  });

  it('when a user who is not an admin logs in, shows a clear refusal (403) and no admin page opens', async () => {
    const visitor = new Visitor();

    const { status, html } = await visitor.login('user@example.com', 'userpassword1');

    expect(status).toBe(403);
    expect(html).toContain('user@example.com is a valid account, but not an administrator');
    const { location } = await visitor.get('/admin/logs');
    expect(location).toBe('/login');
  });

  it('when the login form comes without its CSRF token, refuses it with 403', async () => {
    const visitor = new Visitor();
    await visitor.get('/login');
    const { status, html } = await visitor.post('/login', { email: 'admin@example.com', password: 'verysecret' });
    expect(status).toBe(403);
    expect(html).toContain('This form has expired or did not come from this dashboard');
  });

  it('when the admin logs out, the session ends and admin pages redirect to /login again', async () => {
    const visitor = await signedInAdmin();
    const token = await visitor.token('/admin/logs');

    const { status, location } = await visitor.post('/logout', { _csrf: token });

    expect([status, location]).toEqual([303, '/login']);
    expect((await visitor.get('/admin/logs')).location).toBe('/login');
  });

  it('the logging API sets no cookie', async () => {
    const response = await fetch(`${app.url}/log`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: uniqueName('api'), data: 'x' }) });
    expect(response.status).toBe(202);
    expect(response.headers.get('set-cookie')).toBeNull();
  });
});

describe('logger dashboard: the entries', () => {
  it('lists entries newest first, 20 a page, filtered by exact name, and pages on', async () => {
    const name = uniqueName('paged');
    for (let i = 1; i <= 23; i++) await logs.write({ name, data: `entry number ${i}` });
    const visitor = await signedInAdmin();

    const first = await visitor.get(`/admin/logs?name=${name}`);
    const second = await visitor.get(`/admin/logs?name=${name}&page=2`);

    const data = (html: string) => [...html.matchAll(/<td class="data">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(data(first.html)).toHaveLength(20);
    expect(data(first.html)[0]).toBe('entry number 23');
    expect(first.html).toContain('Page 1 of 2');
    expect(data(second.html)).toEqual(['entry number 3', 'entry number 2', 'entry number 1']);
    expect(first.html).toContain(`<span class="badge text-bg-secondary" id="total">23</span>`);
  });

  it("opens one entry, escapes what it holds, and updates its timestamp with a POST that needs the form's token", async () => {
    const name = uniqueName('one');
    await logs.write({ name, data: '<script>alert("x")</script>' });
    const visitor = await signedInAdmin();
    const list = await visitor.get(`/admin/logs?name=${name}`);
    const id = /href="\/admin\/logs\/([0-9a-f]{24})"/.exec(list.html)![1]!;

    const entry = await visitor.get(`/admin/logs/${id}`);
    expect(entry.html).toContain('&lt;script&gt;');
    expect(entry.html).not.toContain('<script>alert');
    const updatedBefore = /id="updated-at">([^<]*)</.exec(entry.html)![1];

    const refused = await visitor.post(`/admin/logs/${id}/update-timestamp`, {});
    expect(refused.status).toBe(403);

    const token = /name="_csrf" value="([^"]+)"/.exec(entry.html)![1]!;
    const updated = await visitor.post(`/admin/logs/${id}/update-timestamp`, { _csrf: token });
    expect([updated.status, updated.location]).toEqual([303, `/admin/logs/${id}?updated=1`]);
    const after = await visitor.get(`/admin/logs/${id}?updated=1`);
    expect(after.html).toContain('Timestamp updated.');
    expect(/id="updated-at">([^<]*)</.exec(after.html)![1]).not.toBe(updatedBefore);
  });

  it('answers an unknown entry with a 404 page', async () => {
    const visitor = await signedInAdmin();
    const { status, html } = await visitor.get('/admin/logs/0123456789abcdef01234567');
    expect(status).toBe(404);
    expect(html).toContain('There is no such log entry.');
  });

  it('deletes all entries only through the confirmation form, with its token', async () => {
    await logs.write({ name: uniqueName('doomed'), data: 'x' });
    const visitor = await signedInAdmin();

    const confirm = await visitor.get('/admin/logs/delete-all');
    expect(confirm.html).toMatch(/Yes, delete all \d+ entries/);
    const refused = await visitor.post('/admin/logs/delete-all', {});
    expect(refused.status).toBe(403);
    expect(await mongo.db('logs').collection('logs').countDocuments()).toBeGreaterThan(0);

    const token = /name="_csrf" value="([^"]+)"/.exec(confirm.html)![1]!;
    const done = await visitor.post('/admin/logs/delete-all', { _csrf: token });

    expect(done.status).toBe(303);
    expect(done.location).toMatch(/^\/admin\/logs\?deleted=\d+$/);
    expect(await mongo.db('logs').collection('logs').countDocuments()).toBe(0);
    expect((await visitor.get(done.location!)).html).toContain('No entries.');
  });
});
