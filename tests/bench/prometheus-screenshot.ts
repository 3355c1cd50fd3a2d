// `make screenshot_metrics`: the README's picture of Prometheus after load (docs/prometheus.png),
// made by this script, not by hand. Starts the system natively and Debian's Prometheus scraping it
// every second, loads the broker's routes one after another, then photographs Prometheus' graph
// of requests per second by route in headless Chromium.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { freePort } from '@go-micro/testkit/free-port.js';
import { spawnManaged } from '@go-micro/testkit/managed-process.js';
import { repoRoot, SERVICE_NAMES as SERVICES } from '@go-micro/testkit/services.js';
import { startSystem } from '@go-micro/testkit/system.js';
import { load, routes } from './load.js';

const SECONDS_PER_ROUTE = Number(process.env.SECONDS_PER_ROUTE ?? 8);
const OUT = join(repoRoot, 'docs/prometheus.png');
const QUERY = 'sum by (route) (rate(http_server_request_duration_seconds_count{service="broker-service"}[5s]))';

const system = await startSystem({
  env: { broker: { MAIL_PER_MINUTE: '100000' }, mail: { MAIL_MAX_PER_MINUTE: '100000' } },
});
const dir = await mkdtemp(join(tmpdir(), 'prometheus-'));
const port = await freePort();
const targets = SERVICES.map((service) => `'${new URL(system.url(service)).host}'`).join(', ');
await writeFile(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: go-micro\n    static_configs:\n      - targets: [${targets}]\n`);
const prometheus = spawnManaged('prometheus', 'prometheus', [
  `--config.file=${join(dir, 'prometheus.yml')}`,
  `--storage.tsdb.path=${join(dir, 'data')}`,
  `--web.listen-address=127.0.0.1:${port}`,
]);
try {
  await prometheus.waitForOutput(/Server is ready to receive web requests/, 30_000);
  // The routes one after another, so each shows as its own rise on the graph; auth is left out (bcrypt: a few per second).
  for (const route of routes.filter((r) => r.limit !== 'bcrypt')) {
    console.log(`loading ${route.name} for ${SECONDS_PER_ROUTE} s...`);
    await load(system.brokerUrl, route, SECONDS_PER_ROUTE, 10);
  }
  await new Promise((resolve) => setTimeout(resolve, 3_000));

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 960 } });
    const range = `${SECONDS_PER_ROUTE * routes.length + 5}s`;
    // Debian's Prometheus serves its classic UI (the React one is not packaged).
    await page.goto(`http://127.0.0.1:${port}/classic/graph?g0.expr=${encodeURIComponent(QUERY)}&g0.tab=0&g0.range_input=${range}`);
    await page.waitForSelector('.graph_area svg, .graph canvas, canvas', { timeout: 20_000 });
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: OUT, fullPage: false });
    console.log(`written ${OUT}`);
  } finally {
    await browser.close();
  }
} finally {
  await prometheus.stop();
  await rm(dir, { recursive: true, force: true });
  await system.shutdown();
}
