import { chromium, type Browser, type Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { CaughtMessage } from './mail-catcher-client.js';

// The test page driven in Debian's Chromium, shared by the browser test of the system run natively
// (tests/e2e) and the container tests (tests/containers): the same clicks and the same
// assertions, wherever the page is served.

/** Chromium, headless, as the browser tests run it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A new tab on the test page at `url`, once it has loaded. */
export async function openTestPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1100 } });
  await page.goto(url);
  return page;
}

/** The lines of the Output box. */
export const outputLines = (page: Page) => page.locator('#output .line');

/**
 * Clicks a button and returns the Output line it added, once it is there,
 * after checking that the line names the button ("[Test Log] ..."): what is
 * returned is the rest, the course's "Response from broker service: ..." or
 * "Error: ...". The line after it may come at once too (a sign-up's welcome
 * mail, when it went out before the page first asked), so this waits for at
 * least one new line.
 */
export async function click(page: Page, label: string): Promise<string> {
  const before = await outputLines(page).count();
  await page.getByRole('button', { name: label, exact: true }).click();
  await expect.poll(() => outputLines(page).count(), { timeout: 15_000 }).toBeGreaterThan(before);
  return withoutButton(label, (await outputLines(page).nth(before).textContent()) ?? '');
}

/** An Output line without the name of the button it answers, which it must start with. */
export function withoutButton(label: string, line: string): string {
  expect(line.startsWith(`[${label}] `), `"${line}" names the button ${label}`).toBe(true);
  return line.slice(label.length + 3);
}

/** What the page says it sent. */
export const sent = async (page: Page) => (await page.locator('#payload').textContent()) ?? '';
/** What the page says it received, parsed. */
export const received = async (page: Page) =>
  JSON.parse((await page.locator('#received').textContent()) ?? '') as { error: boolean; message: string; data?: unknown };

/** Where a test looks for what the buttons caused: the open page, the logs database, the mail catcher. */
export interface TestPageContext {
  page: Page;
  /** The log entry with this name and data, once the logger stored it. */
  findLog(name: string, data: string): Promise<Record<string, unknown>>;
  /** The first caught mail that satisfies `predicate`, once it arrived. */
  waitForMail(predicate: (message: CaughtMessage) => boolean): Promise<CaughtMessage>;
}

/**
 * Registers one test per button of the page (Test Broker, Test Auth, the four log buttons,
 * Test Mail, Test Register), each clicked as a person would and checked on the page and where it had its effect.
 * `context` is called when the tests run, after the caller's beforeAll opened the page.
 */
export function everyButtonWorks(context: () => TestPageContext): void {
  it('Test Broker: shows Hit the broker and says an empty post was sent', async () => {
    const { page } = context();
    expect(await click(page, 'Test Broker')).toBe('Response from broker service: Hit the broker');
    expect(await sent(page)).toBe('empty post request');
    expect(await received(page)).toEqual({ error: false, message: 'Hit the broker' });
  });

  it('Test Auth: shows Authenticated!, the credentials sent and the user received, and logs the login', async () => {
    const { page, findLog } = context();
    expect(await click(page, 'Test Auth')).toBe('Response from broker service: Authenticated!');
    // The course's credentials are sent; the Sent box masks the password, as it masks every one.
    expect(JSON.parse(await sent(page))).toEqual({ action: 'auth', auth: { email: 'admin@example.com', password: '********' } });
    const reply = await received(page);
    expect(reply).toMatchObject({ error: false, message: 'Authenticated!', data: { email: 'admin@example.com', first_name: 'Admin' } });
    expect(reply.data).not.toHaveProperty('password');
    await findLog('authentication', 'admin@example.com logged in');
  });

  it.each([
    ['Test Log', 'Some kind of data', 'Processed payload via RPC:event'],
    ['Test Log via RabbitMQ', 'Some kind of RabbitMQ data', 'logged via RabbitMQ'],
    ['Test Log via REST', 'Some kind of REST data', 'logged'],
    ['Test gRPC log', 'Some kind of gRPC data', 'logged'],
  ])('%s: shows the reply and the entry reaches MongoDB', async (label, data, message) => {
    const { page, findLog } = context();
    expect(await click(page, label)).toBe(`Response from broker service: ${message}`);
    expect(JSON.parse(await sent(page))).toEqual({ action: 'log', log: { name: 'event', data } });
    expect(await received(page)).toEqual({ error: false, message });
    const entry = await findLog('event', data);
    expect(entry.created_at).toBeInstanceOf(Date);
  });

  it('Test Mail: shows Message sent to you@there.com and the mail reaches the catcher', async () => {
    const { page, waitForMail } = context();
    expect(await click(page, 'Test Mail')).toBe('Response from broker service: Message sent to you@there.com');
    expect(JSON.parse(await sent(page))).toMatchObject({ action: 'mail', mail: { to: 'you@there.com', subject: 'Test email' } });
    expect(await received(page)).toEqual({ error: false, message: 'Message sent to you@there.com' });
    const mail = await waitForMail((m) => m.subject === 'Test email');
    expect(mail.to.map((a) => a.address)).toEqual(['you@there.com']);
    expect(mail.text).toContain('Hello world!');
  });

  it('Test Register: signs up a new address on each click, the password masked in Sent, and a second line tells when its welcome mail went out, with no failed request on the way', async () => {
    const { page, waitForMail } = context();
    // Chromium reports every 4xx or 5xx a page's script gets in its console; the welcome poll's "not yet" must not be one.
    const failed: string[] = [];
    const onResponse = (response: { status(): number; url(): string }) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    };
    page.on('response', onResponse);
    const replyLine = await outputLines(page).count();
    const first = await click(page, 'Test Register');
    expect(first).toMatch(/^Response from broker service: Registered user-[\w-]+@example\.com$/);
    const email = first.replace('Response from broker service: Registered ', '');
    expect(JSON.parse(await sent(page))).toEqual({ action: 'register', register: { email, first_name: 'Test', last_name: 'User', password: '********' } });
    // The welcome line follows the reply's, as soon as the mail has gone out (it may already have).
    await expect.poll(() => outputLines(page).count(), { timeout: 20_000 }).toBe(replyLine + 2);
    expect(withoutButton('Test Register', (await outputLines(page).nth(replyLine + 1).textContent()) ?? '')).toBe(`Response from broker service: Welcome mail sent to ${email}`);
    page.off('response', onResponse);
    expect(failed).toEqual([]);
    const mail = await waitForMail((m) => m.to.some((a) => a.address === email));
    expect(mail.subject).toBe('Welcome! Your account is ready');
    expect(mail.text).toContain('Welcome, Test User!');

    const secondLine = await outputLines(page).count();
    const second = await click(page, 'Test Register');
    expect(second).toMatch(/^Response from broker service: Registered /);
    expect(second).not.toContain(email);
    // Its welcome line too, before the next test clicks: it would come between that click and its reply.
    await expect.poll(() => outputLines(page).count(), { timeout: 20_000 }).toBe(secondLine + 2);
  });
}
