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
  // The broker prints its spans (no collector here), so its replies name their trace, which the page links.
  system = await startSystem({ env: { broker: { OTEL_TRACES_EXPORTER: 'console' } } });
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

  it('links the dashboard, the mail catcher, Prometheus and the latest traces where make dev publishes them, and shows a favicon', async () => {
    const links = await page.locator('#system-links a').evaluateAll((anchors) => anchors.map((a) => [a.textContent, a.getAttribute('href')]));
    expect(links).toEqual([
      ['Log dashboard', 'http://localhost:8082/admin/dashboard'],
      ['Mail catcher', 'http://localhost:8025'],
      ['Prometheus', 'http://localhost:9090'],
      ['Latest traces (Jaeger API)', 'http://localhost:16686/api/traces?service=broker-service&limit=20'],
    ]);
    const icon = await page.locator('link[rel=icon]').getAttribute('href');
    const served = await page.request.get(new URL(icon!, system.pageUrl).href);
    expect([served.status(), served.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
  });

  it("links each reply's trace in Jaeger's API, by the X-Trace-Id the broker sent", async () => {
    const [reply] = await Promise.all([page.waitForResponse((response) => response.url().startsWith(system.brokerUrl)), click(page, 'Test Broker')]);
    const traceId = (await reply.allHeaders())['x-trace-id'];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await expect.poll(() => page.locator('#trace-link').getAttribute('href')).toBe(`http://localhost:16686/api/traces/${traceId}`);
    expect(await page.locator('#trace-link').isVisible()).toBe(true);
  });

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
