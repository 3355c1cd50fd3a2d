import { copyFile, mkdir, stat } from 'node:fs/promises';
import { MongoClient } from 'mongodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSystem, type System } from '@go-micro/testkit/system.js';
import { click, everyButtonWorks, launchChromium, openTestPage, received } from '@go-micro/testkit/test-page.js';

// The whole system as `make dev` runs it, driven through the page in Debian's Chromium.
// With a FerretDB and Mailpit of its own: the page's buttons send fixed names and
// subjects ("event", "Test email"), so in shared ones they could not be told apart.
// The same clicks run against the containers in tests/containers.
let system: System;
let browser: Browser;
let page: Page;
let mongo: MongoClient;

beforeAll(async () => {
  system = await startSystem();
  mongo = new MongoClient(system.mongo.url);
  browser = await launchChromium();
  page = await openTestPage(browser, system.pageUrl);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await mongo?.close();
  await system?.shutdown();
});

describe('the test page, clicked as a person would', () => {
  everyButtonWorks(() => ({
    page,
    findLog: (name, data) => vi.waitUntil(() => mongo.db('logs').collection('logs').findOne({ name, data }), { timeout: 15_000, interval: 100 }),
    waitForMail: (predicate) => system.mail.waitForMessage(predicate, 15_000),
  }));

  it('when a service is stopped, shows an error naming it, and works again once it is back', async () => {
    await system.stop('authentication');
    expect(await click(page, 'Test Auth')).toBe('Error: authentication-service is unavailable');
    expect(await received(page)).toEqual({ error: true, message: 'authentication-service is unavailable' });

    await system.start('authentication');
    expect(await click(page, 'Test Auth')).toBe('Response from broker service: Authenticated!');
  });

  it('when the broker itself is down, shows an error naming it', async () => {
    await system.stop('broker');
    expect(await click(page, 'Test Broker')).toMatch(/^Error: broker-service is unreachable at http:\/\/127\.0\.0\.1:\d+$/);
    await system.start('broker');
    expect(await click(page, 'Test Broker')).toBe('Response from broker service: Hit the broker');
  });

  it('saves a screenshot of the page after all the clicks', async () => {
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/test-page.png', fullPage: true });
    expect((await stat('test-results/test-page.png')).size).toBeGreaterThan(10_000);
    // `make screenshot` refreshes the README's picture from this run.
    if (process.env.UPDATE_SCREENSHOT === '1') await copyFile('test-results/test-page.png', 'docs/test-page.png');
  });
});
