import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '@go-micro/testkit/free-port.js';
import { postJSON } from '@go-micro/testkit/http.js';
import { spawnManaged, type ManagedProcess } from '@go-micro/testkit/managed-process.js';
import { repoRoot } from '@go-micro/testkit/services.js';
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

/** The sum of the series named `name` whose labels include every `labels` pair; 0 when there is none yet. */
function value(samples: Map<string, number>, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const [series, sample] of samples) {
    if (!series.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([key, wanted]) => series.includes(`${key}="${wanted}"`))) total += sample;
  }
  return total;
}

/** The metric families a service registers, as its /metrics names them (`# TYPE <name> ...`). */
async function families(service: ServiceName): Promise<Set<string>> {
  const text = await (await fetch(`${system.url(service)}/metrics`)).text();
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
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
    // Each action is a series of its own; a body without a known action has none.
    expect(await delta('broker', 'http_server_request_duration_seconds_count', { ...handled, status: '202', action: 'log' })).toBe(1);
    expect(await delta('broker', 'http_server_request_duration_seconds_count', { ...handled, status: '202', action: 'mail' })).toBe(1);
    expect(await delta('broker', 'http_server_request_duration_seconds_count', { ...handled, status: '400' })).toBe(1);
    expect([...(await scrape('broker')).keys()].filter((series) => series.includes('status="400"') && series.includes('action='))).toEqual([]);
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

  it('counts logins by outcome, sign-ups, welcome mails and the outbox, on the services that do them', async () => {
    const before = new Map(await Promise.all((['authentication', 'mail'] as const).map(async (service) => [service, await scrape(service)] as const)));
    const delta = async (service: 'authentication' | 'mail', name: string, labels: Record<string, string> = {}) =>
      value(await scrape(service), name, labels) - value(before.get(service)!, name, labels);
    const email = `${uniqueName('counted')}@example.com`;

    const signUp = await postJSON(`${system.brokerUrl}/handle`, { action: 'register', register: { email, first_name: 'Count', last_name: 'Ed', password: 'counted-password-1' } });
    const ok = await postJSON(`${system.brokerUrl}/handle`, { action: 'auth', auth: { email, password: 'counted-password-1' } });
    const refused = await postJSON(`${system.brokerUrl}/handle`, { action: 'auth', auth: { email, password: 'wrong-password' } });

    expect([signUp.status, ok.status, refused.status]).toEqual([202, 202, 401]);
    expect(await delta('authentication', 'signups_total')).toBe(1);
    expect(await delta('authentication', 'logins_total', { outcome: 'ok' })).toBe(1);
    expect(await delta('authentication', 'logins_total', { outcome: 'refused' })).toBe(1);
    expect(await delta('authentication', 'logins_total', { outcome: 'limited' })).toBe(0);
    await vi.waitUntil(async () => (await delta('mail', 'welcome_mails_sent_total')) === 1, { timeout: 20_000, interval: 100 });
    // Sent, so nothing waits: the gauge is read from the outbox at each scrape.
    expect((await scrape('authentication')).get('outbox_backlog{service="authentication-service"}')).toBe(0);
  });

  it('labels static files, paths nobody serves and CORS preflights apart from the routes', async () => {
    const before = { frontEnd: await scrape('front-end'), broker: await scrape('broker') };

    expect((await fetch(`${system.pageUrl}/static/app.js`)).status).toBe(200);
    expect((await fetch(`${system.brokerUrl}/no-such-route`)).status).toBe(404);
    const preflight = await fetch(`${system.brokerUrl}/handle`, { method: 'OPTIONS', headers: { origin: system.pageUrl, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);

    const count = 'http_server_request_duration_seconds_count';
    expect(value(await scrape('front-end'), count, { route: 'static', status: '200' }) - value(before.frontEnd, count, { route: 'static', status: '200' })).toBe(1);
    const broker = await scrape('broker');
    expect(value(broker, count, { route: 'not_found', status: '404' }) - value(before.broker, count, { route: 'not_found', status: '404' })).toBe(1);
    expect(value(broker, count, { method: 'OPTIONS', route: 'preflight' }) - value(before.broker, count, { method: 'OPTIONS', route: 'preflight' })).toBe(1);
  });

  it('each service registers only the families it uses', async () => {
    const consumed = ['queue_messages_total', 'queue_depth'];
    const outbound = ['outbound_request_duration_seconds', 'outbound_calls_in_flight', 'outbound_calls_refused_total'];
    const own = { mail: ['mail_messages_total', 'welcome_mails_sent_total'], authentication: ['logins_total', 'signups_total', 'outbox_backlog'] };
    const everyOwn = [...own.mail, ...own.authentication];
    const of = Object.fromEntries(await Promise.all(SERVICES.map(async (service) => [service, await families(service)] as const)));
    const has = (service: ServiceName, names: string[]) => names.filter((name) => of[service]!.has(name));

    for (const service of SERVICES) expect(of[service]!.has('http_server_request_duration_seconds'), service).toBe(true);
    expect(has('front-end', [...consumed, ...outbound, ...everyOwn])).toEqual([]);
    expect(has('broker', [...consumed, ...everyOwn])).toEqual([]);
    expect(has('broker', outbound)).toEqual(outbound);
    expect(has('logger', [...consumed, ...everyOwn])).toEqual([]);
    expect(has('listener', [...consumed, ...everyOwn])).toEqual(consumed);
    expect(has('mail', [...consumed, ...everyOwn])).toEqual([...consumed, ...own.mail]);
    expect(has('authentication', [...consumed, ...everyOwn])).toEqual(own.authentication);
    // A consumer watches its retry and dead-letter queues beside its work queue.
    const depths = (samples: Map<string, number>) => [...samples.keys()].filter((series) => series.startsWith('queue_depth{')).map((series) => /queue="([^"]+)"/.exec(series)![1]).sort();
    expect(depths(await scrape('listener'))).toEqual(['logs_listener', 'logs_listener.dead', 'logs_listener.retry']);
    expect(depths(await scrape('mail'))).toEqual(['mail_welcome', 'mail_welcome.dead', 'mail_welcome.retry']);
  });

  it('a real Prometheus scrapes every service and reports each of them up', async () => {
    prometheusDir = await mkdtemp(join(tmpdir(), 'prometheus-'));
    const targets = SERVICES.map((service) => `'${new URL(system.url(service)).host}'`).join(', ');
    const config = join(prometheusDir, 'prometheus.yml');
    // The project's own rules, evaluated every second, so the test sees each of them run on what the services export.
    const rules = resolve(repoRoot, 'project/prometheus/rules.yml');
    await writeFile(
      config,
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${rules}\nscrape_configs:\n  - job_name: go-micro\n    static_configs:\n      - targets: [${targets}]\n`,
    );
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

    // What the dashboard and the rules read is there: the series this test caused, by the labels they use.
    const query = async (expr: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`);
      return ((await response.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    };
    for (const expr of [
      'http_server_request_duration_seconds_count{service="broker-service", route="/handle", action="log"}',
      'logins_total{outcome="ok"}',
      'signups_total',
      'welcome_mails_sent_total',
      'outbox_backlog',
      'queue_depth{queue="logs_listener.dead"}',
      'queue_depth{queue="mail_welcome.retry"}',
      'http_server_request_duration_seconds_count{route="not_found"}',
    ]) {
      expect((await vi.waitUntil(async () => (await query(expr)).length > 0 || undefined, { timeout: 15_000, interval: 250 }).catch(() => false)), expr).toBe(true);
    }
    // Every rule of project/prometheus/rules.yml evaluates without an error against them.
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/rules`);
      const { data } = (await response.json()) as { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
      return data.groups.flatMap((group) => group.rules);
    };
    const evaluated = await vi.waitUntil(async () => {
      const found = await health();
      return found.length > 0 && found.every((rule) => rule.health !== 'unknown') && found;
    }, { timeout: 15_000, interval: 250 });
    expect(evaluated.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError}`)).toEqual([]);
    expect(evaluated.length).toBe(13);
  });
});
