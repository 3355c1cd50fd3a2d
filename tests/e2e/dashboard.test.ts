import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJSON } from '@go-micro/testkit/http.js';
import { sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type System } from '@go-micro/testkit/system.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';

// The logger's dashboard in Debian's Chromium, logging in through the real authentication service.
// With a FerretDB of its own: "delete all" empties the logs collection.
let system: System;
let browser: Browser;
let page: Page;
let dashboard: string;

beforeAll(async () => {
  system = await startSystem({ services: ['logger', 'authentication'], mail: sharedMailCatcher() });
  dashboard = system.url('logger');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('dialog', (dialog) => void dialog.accept());
  await mkdir('test-results', { recursive: true });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await system?.shutdown();
});

const writeLog = (name: string, data: string) => postJSON(`${dashboard}/log`, { name, data });
const rows = () => page.locator('#entries tbody tr');
const entryCount = async () => Number(await page.locator('#total').textContent());

async function logIn(email: string, password: string): Promise<void> {
  await page.goto(`${dashboard}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  // The click returns once the form is sent; the URL is read only after the answer's page has replaced it.
  await Promise.all([page.waitForEvent('framenavigated'), page.click('button[type=submit]')]);
  await page.waitForLoadState();
}

describe('the logger dashboard, clicked as an admin would', () => {
  it.each(['/', '/admin/dashboard', '/admin/log-entry/0123456789abcdef01234567', '/admin/whatever', '/admin/logs'])(
    'when not signed in, %s leads to the login page',
    async (path) => {
      await page.goto(`${dashboard}${path}`);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.locator('h1').textContent()).toBe('Log in');
    },
  );

  it('when a user who is not an admin logs in, shows a clear refusal', async () => {
    const email = `${uniqueName('plain')}@example.com`;
    const signUp = { email, first_name: 'Plain', last_name: 'User', password: 'plain-password-1' };
    expect((await postJSON(`${system.url('authentication')}/register`, signUp)).status).toBe(202);

    await logIn(email, 'plain-password-1');

    expect(await page.locator('#refused').textContent()).toContain(`${email} is a valid account, but not an administrator`);
    await page.goto(`${dashboard}/admin/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('when the admin signs in from an anonymous /admin/dashboard, lands on it listing a fresh entry, newest first, with the login itself among them', async () => {
    const name = uniqueName('listed');
    await writeLog(name, 'older');
    await writeLog(name, 'newer');
    await page.goto(`${dashboard}/admin/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/login');

    await logIn('admin@example.com', 'verysecret');

    expect(new URL(page.url()).pathname).toBe('/admin/dashboard');
    expect(await page.locator('#signed-in').textContent()).toBe('Signed in as admin@example.com');
    const texts = await rows().allTextContents();
    expect(texts.findIndex((t) => t.includes('newer'))).toBeLessThan(texts.findIndex((t) => t.includes('older')));
    expect(texts.some((t) => t.includes('admin@example.com logged in'))).toBe(true);
    await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
  });

  it('filters by name, opens an entry, and updates its timestamp after a confirmation', async () => {
    const name = uniqueName('filtered');
    await writeLog(name, 'the one to open');

    await page.fill('#name', name);
    await page.click('form[role=search] button[type=submit]');
    expect(await rows().count()).toBe(1);
    await rows().first().locator('a').click();
    expect(await page.locator('#data').textContent()).toBe('the one to open');
    const before = await page.locator('#updated-at').textContent();

    await page.click('#update-timestamp');

    expect(await page.locator('#notice').textContent()).toBe('Timestamp updated.');
    expect(await page.locator('#updated-at').textContent()).not.toBe(before);
  });

  it('refuses a POST without the CSRF token, with the session cookie and all', async () => {
    await page.goto(`${dashboard}/admin/dashboard`);
    const count = await entryCount();

    const forged = await page.request.post(`${dashboard}/admin/delete-all`, { form: { _csrf: 'not-the-token' }, maxRedirects: 0 });
    const bare = await page.request.post(`${dashboard}/admin/delete-all`, { form: {}, maxRedirects: 0 });

    expect([forged.status(), bare.status()]).toEqual([403, 403]);
    expect(await bare.text()).toContain('This form has expired or did not come from this dashboard');
    await page.reload();
    expect(await entryCount()).toBe(count);
  });

  it('deletes all entries through the confirmation page', async () => {
    await writeLog(uniqueName('doomed'), 'x');
    await page.goto(`${dashboard}/admin/dashboard`);

    await page.click('#delete-all');
    expect(await page.locator('#confirm-delete-all').textContent()).toMatch(/^Yes, delete all \d+ entries$/);
    await page.click('#confirm-delete-all');

    expect(await page.locator('#notice').textContent()).toMatch(/^Deleted \d+ entries\.$/);
    expect(await entryCount()).toBe(0);
    expect(await rows().first().textContent()).toBe('No entries.');
  });

  it("on a phone's screen, the list of entries fits its width, long names and data included", async () => {
    await writeLog(uniqueName(`a-long-name-without-spaces-${'x'.repeat(60)}`), `data-without-any-space-${'y'.repeat(200)}`);
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, storageState: await page.context().storageState() });
    try {
      await phone.goto(`${dashboard}/admin/dashboard`);
      expect(new URL(phone.url()).pathname).toBe('/admin/dashboard');
      // An expression, run in the page: the tests are compiled without the DOM's types.
      const [scrollWidth, innerWidth] = (await phone.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      await phone.screenshot({ path: 'test-results/dashboard-phone.png', fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it('shows a favicon, served to a visitor who has not signed in', async () => {
    const icon = await page.locator('link[rel=icon]').getAttribute('href');
    const served = await browser.newPage().then(async (visitor) => {
      try {
        return await visitor.request.get(`${dashboard}${icon}`);
      } finally {
        await visitor.close();
      }
    });
    expect([served.status(), served.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
  });

  it('logs out, and admin pages lead to the login page again', async () => {
    await page.click('text=Log out');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.goto(`${dashboard}/admin/delete-all`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('logs out by the GET /logout the course linked to, too', async () => {
    await logIn('admin@example.com', 'verysecret');
    expect(new URL(page.url()).pathname).toBe('/admin/dashboard');
    await page.goto(`${dashboard}/logout`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.goto(`${dashboard}/admin/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });
});
