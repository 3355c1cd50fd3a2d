import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '@go-micro/testkit/free-port.js';
import { postJSON } from '@go-micro/testkit/http.js';
import { spawnManaged, type ManagedProcess } from '@go-micro/testkit/managed-process.js';
import { sharedFerretDB, sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { SERVICE_NAMES as SERVICES } from '@go-micro/testkit/services.js';
import { startSystem, type ServiceName, type System } from '@go-micro/testkit/system.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';

// GET /metrics of every service counts what the test did, and a real Prometheus (Debian's, as `make dev` runs it) scrapes them all.
let system: System;
let prometheus: ManagedProcess | undefined;
let prometheusDir: string | undefined;

beforeAll(async () => {
  system = await startSystem({ mongo: sharedFerretDB(), mail: sharedMailCatcher() });
}, 120_000);
afterAll(async () => {
  await prometheus?.stop();
  if (prometheusDir) await rm(prometheusDir, { recursive: true, force: true });
  await system?.shutdown();
});

/** The metrics of a service, as `series{labels} value` lines keyed by everything before the value. */
async function scrape(service: ServiceName): Promise<Map<string, number>> {
  const response = await fetch(`${system.url(service)}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

/** The value of the first series named `name` whose labels include every `labels` pair; 0 when there is none yet. */
function value(samples: Map<string, number>, name: string, labels: Record<string, string>): number {
  for (const [series, sample] of samples) {
    if (!series.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([key, wanted]) => series.includes(`${key}="${wanted}"`))) return sample;
  }
  return 0;
}

const log = (name: string) => ({ action: 'log', log: { name, data: 'counted' } });

describe('GET /metrics', () => {
  it('counts each request by route and status, each outbound call by transport, the queue and the mails, on the service that did them', async () => {
    const before = new Map(await Promise.all(SERVICES.map(async (service) => [service, await scrape(service)] as const)));
    // Every way a message can be settled is a series before any message was, so an alert on dead_lettered sees a 0, not nothing.
    for (const outcome of ['handled', 'retried', 'dead_lettered']) {
      const series = [...before.get('listener')!.keys()].find((key) => key.startsWith('queue_messages_total{') && key.includes(`outcome="${outcome}"`));
      expect(series, outcome).toBeDefined();
    }

    expect((await postJSON(`${system.brokerUrl}/handle`, log(uniqueName('m-rpc')))).status).toBe(202);
    expect((await postJSON(`${system.brokerUrl}/log-grpc`, log(uniqueName('m-grpc')))).status).toBe(202);
    expect((await postJSON(`${system.brokerUrl}/log-http`, log(uniqueName('m-http')))).status).toBe(202);
    expect((await postJSON(`${system.brokerUrl}/log-rabbit`, log(uniqueName('m-rabbit')))).status).toBe(202);
    const mail = { action: 'mail', mail: { from: 'me@example.com', to: `${uniqueName('m')}@there.com`, subject: 'Counted', message: 'Hi' } };
    expect((await postJSON(`${system.brokerUrl}/handle`, mail)).status).toBe(202);
    expect((await postJSON(`${system.brokerUrl}/handle`, { action: 'nope' })).status).toBe(400);

    const delta = async (service: ServiceName, name: string, labels: Record<string, string>) =>
      value(await scrape(service), name, labels) - value(before.get(service)!, name, labels);

    const handled = { method: 'POST', route: '/handle' };
    expect(await delta('broker', 'http_server_request_duration_seconds_count', { ...handled, status: '202' })).toBe(2);
    expect(await delta('broker', 'http_server_request_duration_seconds_count', { ...handled, status: '400' })).toBe(1);
    expect(await delta('broker', 'http_server_request_duration_seconds_count', { route: '/log-grpc', status: '202' })).toBe(1);
    for (const [target, transport] of [
      ['logger-service', 'jsonrpc'],
      ['logger-service', 'grpc'],
      ['logger-service', 'rest'],
      ['RabbitMQ', 'amqp'],
      ['mail-service', 'rest'],
    ] as const) {
      expect(await delta('broker', 'outbound_request_duration_seconds_count', { target, transport, outcome: 'ok' }), `${target} ${transport}`).toBe(1);
    }
    expect(await delta('mail', 'mail_messages_total', { outcome: 'sent' })).toBe(1);
    // The listener writes the queued entry a moment after the broker answered.
    await vi.waitUntil(async () => (await delta('listener', 'queue_messages_total', { outcome: 'handled' })) === 1, { timeout: 15_000, interval: 100 });
    const depth = [...(await scrape('listener')).entries()].find(([series]) => series.startsWith('queue_depth{'));
    expect(depth?.[1]).toBeGreaterThanOrEqual(0);
    // Two entries reached the logger's REST endpoint: /log-http's, and the queued one the listener wrote.
    expect(await delta('logger', 'http_server_request_duration_seconds_count', { route: '/log', status: '202' })).toBe(2);

    // Node's own, on every service, named. The event loop's lag is sampled every 100 ms and its
    // samples start afresh at each scrape, and some services were scraped a moment ago.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const service of SERVICES) {
      const samples = await scrape(service);
      expect(value(samples, 'nodejs_eventloop_lag_p99_seconds', {}), service).toBeGreaterThan(0);
      expect([...samples.keys()].some((series) => series.startsWith('process_resident_memory_bytes{')), service).toBe(true);
    }
  });

  it('a real Prometheus scrapes every service and reports each of them up', async () => {
    prometheusDir = await mkdtemp(join(tmpdir(), 'prometheus-'));
    const targets = SERVICES.map((service) => `'${new URL(system.url(service)).host}'`).join(', ');
    const config = join(prometheusDir, 'prometheus.yml');
    await writeFile(config, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: go-micro\n    static_configs:\n      - targets: [${targets}]\n`);
    const port = await freePort();
    prometheus = spawnManaged('prometheus', 'prometheus', [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(prometheusDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);

    const up = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=up`).catch(() => undefined);
      if (!response?.ok) return [];
      const { data } = (await response.json()) as { data: { result: { metric: { instance: string }; value: [number, string] }[] } };
      return data.result;
    };
    const results = await vi.waitUntil(async () => {
      const found = await up();
      return found.length === SERVICES.length && found.every((result) => result.value[1] === '1') && found;
    }, { timeout: 30_000, interval: 250 });
    expect(results.map((result) => result.metric.instance).sort()).toEqual(SERVICES.map((service) => new URL(system.url(service)).host).sort());
  });
});
