import { copyFile, mkdir, stat } from 'node:fs/promises';
import { MongoClient } from 'mongodb';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSystem, type System } from '@go-micro/testkit/system.js';

// The whole system as `make dev` runs it, driven through the page in Debian's Chromium.
// With a FerretDB and Mailpit of its own: the page's buttons send fixed names and
// subjects ("event", "Test email"), so in shared ones they could not be told apart.
let system: System;
let browser: Browser;
let page: Page;
let mongo: MongoClient;

beforeAll(async () => {
  system = await startSystem();
  mongo = new MongoClient(system.mongo.url);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 1100 } });
  await page.goto(system.pageUrl);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await mongo?.close();
  await system?.shutdown();
});

const outputLines = () => page.locator('#output .line');

/** Clicks a button and returns the Output line it added, once it is there. */
async function click(label: string): Promise<string> {
  const before = await outputLines().count();
  await page.getByRole('button', { name: label, exact: true }).click();
  await expect.poll(() => outputLines().count(), { timeout: 15_000 }).toBe(before + 1);
  return (await outputLines().nth(before).textContent()) ?? '';
}

const sent = async () => (await page.locator('#payload').textContent()) ?? '';
const received = async () => JSON.parse((await page.locator('#received').textContent()) ?? '') as { error: boolean; message: string; data?: unknown };

function findLog(name: string, data: string) {
  return vi.waitUntil(() => mongo.db('logs').collection('logs').findOne({ name, data }), { timeout: 15_000, interval: 100 });
}

describe('the test page, clicked as a person would', () => {
  it('Test Broker: shows Hit the broker and says an empty post was sent', async () => {
    expect(await click('Test Broker')).toBe('Response from broker service: Hit the broker');
    expect(await sent()).toBe('empty post request');
    expect(await received()).toEqual({ error: false, message: 'Hit the broker' });
  });

  it('Test Auth: shows Authenticated!, the credentials sent and the user received, and logs the login', async () => {
    expect(await click('Test Auth')).toBe('Response from broker service: Authenticated!');
    expect(JSON.parse(await sent())).toEqual({ action: 'auth', auth: { email: 'admin@example.com', password: 'verysecret' } });
    const reply = await received();
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
    expect(await click(label)).toBe(`Response from broker service: ${message}`);
    expect(JSON.parse(await sent())).toEqual({ action: 'log', log: { name: 'event', data } });
    expect(await received()).toEqual({ error: false, message });
    const entry = await findLog('event', data);
    expect(entry.created_at).toBeInstanceOf(Date);
  });

  it('Test Mail: shows Message sent to you@there.com and the mail reaches the catcher', async () => {
    expect(await click('Test Mail')).toBe('Response from broker service: Message sent to you@there.com');
    expect(JSON.parse(await sent())).toMatchObject({ action: 'mail', mail: { to: 'you@there.com', subject: 'Test email' } });
    expect(await received()).toEqual({ error: false, message: 'Message sent to you@there.com' });
    const mail = await system.mail.waitForMessage((m) => m.subject === 'Test email', 15_000);
    expect(mail.to.map((a) => a.address)).toEqual(['you@there.com']);
    expect(mail.text).toContain('Hello world!');
  });

  it('Test Register: signs up a new address on each click, and a second line tells when its welcome mail went out', async () => {
    const first = await click('Test Register');
    expect(first).toMatch(/^Response from broker service: Registered user-[\w-]+@example\.com$/);
    const email = first.replace('Response from broker service: Registered ', '');
    expect(JSON.parse(await sent())).toEqual({ action: 'register', register: { email, first_name: 'Test', last_name: 'User', password: 'verysecret123' } });
    const lines = await outputLines().count();
    await expect.poll(() => outputLines().count(), { timeout: 30_000 }).toBe(lines + 1);
    expect(await outputLines().nth(lines).textContent()).toBe(`Response from broker service: Welcome mail sent to ${email}`);
    const mail = await system.mail.waitForMessage((m) => m.to.some((a) => a.address === email), 15_000);
    expect(mail.subject).toBe('Welcome, Test!');
    expect(mail.text).toContain('Welcome, Test User!');

    const second = await click('Test Register');
    expect(second).toMatch(/^Response from broker service: Registered /);
    expect(second).not.toContain(email);
  });

  it('when a service is stopped, shows an error naming it, and works again once it is back', async () => {
    await system.stop('authentication');
    expect(await click('Test Auth')).toBe('Error: authentication-service is unavailable');
    expect(await received()).toEqual({ error: true, message: 'authentication-service is unavailable' });

    await system.start('authentication');
    expect(await click('Test Auth')).toBe('Response from broker service: Authenticated!');
  });

  it('when the broker itself is down, shows an error naming it', async () => {
    await system.stop('broker');
    expect(await click('Test Broker')).toMatch(/^Error: broker-service is unreachable at http:\/\/127\.0\.0\.1:\d+$/);
    await system.start('broker');
    expect(await click('Test Broker')).toBe('Response from broker service: Hit the broker');
  });

  it('saves a screenshot of the page after all the clicks', async () => {
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/test-page.png', fullPage: true });
    expect((await stat('test-results/test-page.png')).size).toBeGreaterThan(10_000);
    // `make screenshot` refreshes the README's picture from this run.
    if (process.env.UPDATE_SCREENSHOT === '1') await copyFile('test-results/test-page.png', 'docs/test-page.png');
  });
});
