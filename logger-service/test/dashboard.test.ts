import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { createLogger } from '@go-micro/toolkit';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { envelope, startStandIn, type StandIn } from '@go-micro/testkit/stand-in-server.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { createApp } from '../src/app.js';
import { adminLogin } from '../src/dashboard/admin-login.js';
import { dashboardSession, loginFormCsrf } from '../src/dashboard/session.js';
import { LogsAdminStore } from '../src/logs-admin-store.js';
import { LogsStore } from '../src/logs-store.js';
import { createMongoClient } from '../src/mongo-client.js';

// A FerretDB of this file's own: "delete all" empties the logs collection.
/** Where a count of the entries of one name stops, here: low enough to pass in a test. */
const COUNT_CAP = 25;
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
    if (email === 'flooded@example.com') return { ...envelope(429, 'too many login attempts; try again in 898 s'), headers: { 'retry-after': '898' } };
    return envelope(401, 'invalid credentials');
  });
  const logger = createLogger('logger-service', { level: 'silent', pretty: false });
  const cookies = { secret: 'a-test-session-secret-of-32-characters-or-more', secureCookie: false };
  const dashboard = {
    entries: new LogsAdminStore(mongo, { countCap: COUNT_CAP }),
    login: adminLogin({ baseUrl: auth.url }),
    session: dashboardSession({ mongo, ...cookies }),
    loginCsrf: loginFormCsrf(cookies),
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
    return { status: response.status, location: response.headers.get('location'), headers: response.headers, html: await response.text() };
  }
}

async function signedInAdmin(): Promise<Visitor> {
  const visitor = new Visitor();
  const { status, location } = await visitor.login('admin@example.com', 'verysecret');
  expect([status, location]).toEqual([303, '/admin/dashboard']);
  return visitor;
}

describe('logger dashboard: who gets in', () => {
  it.each([
    '/admin',
    '/admin/dashboard',
    '/admin/delete-all',
    '/admin/log-entry/0123456789abcdef01234567',
    '/admin/update/0123456789abcdef01234567',
    '/admin/no-such-page',
    '/admin/logs',
    '/admin/logs/0123456789abcdef01234567',
  ])('when %s is asked for without a session, redirects to /login', async (path) => {
    const { status, location } = await new Visitor().get(path);
    expect([status, location]).toEqual([303, '/login']);
  });

  it('when / is asked for, redirects to the login page, as the course shows it at the root', async () => {
    const { status, location } = await new Visitor().get('/');
    expect([status, location]).toEqual([303, '/login']);
  });

  it('when a form is posted to /admin without a session, redirects to /login and deletes nothing', async () => {
    await logs.write({ name: uniqueName('kept'), data: 'x' });
    const before = await mongo.db('logs').collection('logs').countDocuments();

    const { status, location } = await new Visitor().post('/admin/delete-all', { _csrf: 'anything' });

    expect([status, location]).toEqual([303, '/login']);
    expect(await mongo.db('logs').collection('logs').countDocuments()).toBe(before);
  });

  it('when the admin logs in, sets an httpOnly SameSite=Lax session cookie, gives a new session id, and shows the entries', async () => {
    const visitor = new Visitor();
    await visitor.token();
    const before = visitor.cookie;

    const { status, location } = await visitor.login('admin@example.com', 'verysecret');

    expect([status, location]).toEqual([303, '/admin/dashboard']);
    expect(visitor.setCookie).toMatch(/^logger\.sid=/);
    expect(visitor.setCookie).toMatch(/HttpOnly/i);
    expect(visitor.setCookie).toMatch(/SameSite=Lax/i);
    expect(visitor.cookie).not.toBe(before);
    const page = await visitor.get('/admin/dashboard');
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
    const { location } = await visitor.get('/admin/dashboard');
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
    const token = await visitor.token('/admin/dashboard');

    const { status, location } = await visitor.post('/logout', { _csrf: token });

    expect([status, location]).toEqual([303, '/login']);
    expect((await visitor.get('/admin/dashboard')).location).toBe('/login');
  });

  it('when the admin follows GET /logout, as the course linked it, the session ends too', async () => {
    const visitor = await signedInAdmin();

    const { status, location } = await visitor.get('/logout');

    expect([status, location]).toEqual([303, '/login']);
    expect((await visitor.get('/admin/dashboard')).location).toBe('/login');
  });

  it('when the admin is signed in, / and /login lead to the dashboard', async () => {
    const visitor = await signedInAdmin();
    expect((await visitor.get('/')).location).toBe('/login');
    expect((await visitor.get('/login')).location).toBe('/admin/dashboard');
  });

  it('the logging API sets no cookie', async () => {
    const response = await fetch(`${app.url}/log`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: uniqueName('api'), data: 'x' }) });
    expect(response.status).toBe(202);
    expect(response.headers.get('set-cookie')).toBeNull();
  });
});

describe('logger dashboard: the login form', () => {
  it("passes the visitor's address to the authentication service as X-Forwarded-For, so its tries count against the visitor", async () => {
    const from = auth.received.length;

    await new Visitor().login('admin@example.com', 'wrong');

    const token = auth.received.slice(from).find((request) => request.path === '/token');
    expect(token?.headers['x-forwarded-for']).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('when the authentication service answers 429, shows the login page with 429, Retry-After and the wait in words', async () => {
    const { status, headers, html } = await new Visitor().login('flooded@example.com', 'x');

    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('898');
    expect(html).toContain('Too many login attempts. Try again in 15 minutes.');
    expect(html).toContain('name="_csrf"');
  });

  it.each([
    ['an email over 255 characters', `${'a'.repeat(250)}@example.com`, 'x', 'That email address is too long: it can have at most 255 characters.'],
    ['a password over 128 characters', 'admin@example.com', 'p'.repeat(129), 'That password is too long: it can have at most 128 characters.'],
  ])('when the login has %s, shows the login page with 400 and says what is wrong, without asking the authentication service', async (_case, email, password, message) => {
    const visitor = new Visitor();
    const token = await visitor.token();
    const from = auth.received.length;

    const { status, html } = await visitor.post('/login', { _csrf: token, email, password });

    expect(status).toBe(400);
    expect(html).toContain(message);
    expect(html).toContain('name="_csrf"');
    expect(auth.received.length).toBe(from);
  });

  it('when visitors only open the login page, no session is stored; one is at sign-in', async () => {
    const sessions = mongo.db('logs').collection('sessions');
    const before = await sessions.countDocuments();

    for (let i = 0; i < 20; i++) await new Visitor().get('/login');

    expect(await sessions.countDocuments()).toBe(before);
    await signedInAdmin();
    expect(await sessions.countDocuments()).toBe(before + 1);
  });

  it("when the login form's token comes from another visitor's page, still logs in only with a token matching the visitor's own cookie", async () => {
    const visitor = new Visitor();
    await visitor.token();
    const othersToken = await new Visitor().token();

    const { status } = await visitor.post('/login', { _csrf: othersToken, email: 'admin@example.com', password: 'verysecret' });

    expect(status).toBe(403);
  });
});

describe('logger dashboard: the entries', () => {
  it('lists entries newest first, 20 a page, filtered by exact name, and pages on', async () => {
    const name = uniqueName('paged');
    for (let i = 1; i <= 23; i++) await logs.write({ name, data: `entry number ${i}` });
    const visitor = await signedInAdmin();

    const first = await visitor.get(`/admin/dashboard?name=${name}`);
    const second = await visitor.get(`/admin/dashboard?name=${name}&page=2`);

    const data = (html: string) => [...html.matchAll(/<td class="data">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(data(first.html)).toHaveLength(20);
    expect(data(first.html)[0]).toBe('entry number 23');
    expect(first.html).toContain('Page 1 of 2');
    expect(data(second.html)).toEqual(['entry number 3', 'entry number 2', 'entry number 1']);
    expect(first.html).toContain(`<span class="badge text-bg-secondary" id="total">23</span>`);
  });

  it('when more entries have one name than a count goes to, shows the cap with a plus and still pages on to the last', async () => {
    const name = uniqueName('many');
    for (let i = 1; i <= COUNT_CAP + 5; i++) await logs.write({ name, data: `entry number ${i}` });
    const visitor = await signedInAdmin();

    const first = await visitor.get(`/admin/dashboard?name=${name}`);
    const second = await visitor.get(`/admin/dashboard?name=${name}&page=2`);

    expect(first.html).toContain(`<span class="badge text-bg-secondary" id="total">${COUNT_CAP}+</span>`);
    expect(first.html).toContain('Page 1 of 2+');
    expect(first.html).toContain('rel="next"');
    expect([...second.html.matchAll(/<td class="data">/g)]).toHaveLength(COUNT_CAP + 5 - 20);
    expect(second.html).not.toContain('rel="next"');
  });

  it('shows the number of all entries, as the collection holds them', async () => {
    await logs.write({ name: uniqueName('counted'), data: 'x' });
    const visitor = await signedInAdmin();

    const { html } = await visitor.get('/admin/dashboard');

    const shown = /id="total">([^<]*)</.exec(html)![1]!;
    expect(shown).toBe((await mongo.db('logs').collection('logs').countDocuments()).toLocaleString('en-US'));
  });

  it("opens one entry, escapes what it holds, and updates its timestamp with a POST that needs the form's token", async () => {
    const name = uniqueName('one');
    await logs.write({ name, data: '<script>alert("x")</script>' });
    const visitor = await signedInAdmin();
    const list = await visitor.get(`/admin/dashboard?name=${name}`);
    const id = /href="\/admin\/log-entry\/([0-9a-f]{24})"/.exec(list.html)![1]!;

    const entry = await visitor.get(`/admin/log-entry/${id}`);
    expect(entry.html).toContain('&lt;script&gt;');
    expect(entry.html).not.toContain('<script>alert');
    const updatedBefore = /id="updated-at">([^<]*)</.exec(entry.html)![1];

    const refused = await visitor.post(`/admin/update/${id}`, {});
    expect(refused.status).toBe(403);

    const token = /name="_csrf" value="([^"]+)"/.exec(entry.html)![1]!;
    const updated = await visitor.post(`/admin/update/${id}`, { _csrf: token });
    expect([updated.status, updated.location]).toEqual([303, `/admin/log-entry/${id}?updated=1`]);
    const after = await visitor.get(`/admin/log-entry/${id}?updated=1`);
    expect(after.html).toContain('Timestamp updated.');
    expect(/id="updated-at">([^<]*)</.exec(after.html)![1]).not.toBe(updatedBefore);
  });

  it('answers an unknown entry with a 404 page', async () => {
    const visitor = await signedInAdmin();
    const { status, html } = await visitor.get('/admin/log-entry/0123456789abcdef01234567');
    expect(status).toBe(404);
    expect(html).toContain('There is no such log entry.');
  });

  it('answers a page that does not exist with a 404 page, once signed in', async () => {
    const visitor = await signedInAdmin();
    const { status, html } = await visitor.get('/admin/no-such-page');
    expect(status).toBe(404);
    expect(html).toContain('There is no such page.');
  });

  it("when the course's GET /admin/update/{id} link is followed, changes nothing and shows the entry with its button", async () => {
    const visitor = await signedInAdmin();
    const { status, location } = await visitor.get('/admin/update/0123456789abcdef01234567');
    expect([status, location]).toEqual([303, '/admin/log-entry/0123456789abcdef01234567']);
  });

  it('deletes all entries only through the confirmation form, with its token', async () => {
    await logs.write({ name: uniqueName('doomed'), data: 'x' });
    const visitor = await signedInAdmin();

    const confirm = await visitor.get('/admin/delete-all');
    expect(confirm.html).toMatch(/Yes, delete all \d+ entries/);
    const refused = await visitor.post('/admin/delete-all', {});
    expect(refused.status).toBe(403);
    expect(await mongo.db('logs').collection('logs').countDocuments()).toBeGreaterThan(0);

    const token = /name="_csrf" value="([^"]+)"/.exec(confirm.html)![1]!;
    const done = await visitor.post('/admin/delete-all', { _csrf: token });

    expect(done.status).toBe(303);
    expect(done.location).toMatch(/^\/admin\/dashboard\?deleted=\d+$/);
    expect(await mongo.db('logs').collection('logs').countDocuments()).toBe(0);
    expect((await visitor.get(done.location!)).html).toContain('No entries.');
  });
});

describe('logger dashboard: the paths of its first version', () => {
  it.each([
    ['GET', '/admin/logs?name=x&page=2', '/admin/dashboard?name=x&page=2'],
    ['GET', '/admin/logs/0123456789abcdef01234567', '/admin/log-entry/0123456789abcdef01234567'],
    ['GET', '/admin/logs/delete-all', '/admin/delete-all'],
  ])('when %s %s is asked for by the admin, redirects for good (308) to %s', async (_method, path, to) => {
    const visitor = await signedInAdmin();
    const { status, location } = await visitor.get(path);
    expect([status, location]).toEqual([308, to]);
  });

  it.each([
    ['/admin/logs/delete-all', '/admin/delete-all'],
    ['/admin/logs/0123456789abcdef01234567/update-timestamp', '/admin/update/0123456789abcdef01234567'],
  ])('when a form with its token is posted to %s, redirects with 308, which posts it again to %s', async (path, to) => {
    const visitor = await signedInAdmin();
    const token = await visitor.token('/admin/dashboard');
    const { status, location } = await visitor.post(path, { _csrf: token });
    expect([status, location]).toEqual([308, to]);
  });
});

describe('logger dashboard: its files', () => {
  it('links a favicon from every page and serves it without a session', async () => {
    const { html } = await new Visitor().get('/login');
    expect(html).toContain('<link rel="icon" href="/admin/static/favicon.svg" type="image/svg+xml">');
    const icon = await fetch(`${app.url}/admin/static/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  });
});
