import amqplib from 'amqplib';
import { LOG_QUEUE } from '@go-micro/contracts';
import { mailCatcherClient, type MailCatcherClient } from '@go-micro/testkit/mail-catcher-client.js';
import { SERVICES } from '@go-micro/testkit/services.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { MongoClient } from 'mongodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StoredLogs } from '@go-micro/testkit/stored-logs.js';
import { everyButtonWorks, launchChromium, openTestPage } from '@go-micro/testkit/test-page.js';
import { docker, lines, make, run, waitFor } from './commands.js';
import { brokerPost, choosePorts, containersWith, healthOf, listenerStatus, payloads, SERVICE_IMAGES, TEST_PROJECT, TEST_TAG } from './stack.js';

// `make up_build` for real, under a project name and image tag of the tests' own and on free ports,
// then the running stack checked from outside as a user would: the broker's published port, the
// page in Chromium, the mail catcher's API, the stored logs (MongoDB's client port, published for
// the test). Then a crash of the listener and a restart of RabbitMQ, and `make down`.
const PROJECT_LABEL = `com.docker.compose.project=${TEST_PROJECT}`;
const COMPOSE_SERVICES = [...SERVICES.map((service) => service.host), 'mailhog', 'mongo', 'postgres', 'rabbitmq'];

let env: Record<string, string>;
let broker: ReturnType<typeof brokerPost>;
let logs: StoredLogs;
let mongo: MongoClient;
let mail: MailCatcherClient;
let amqp: amqplib.ChannelModel;
let downDone = false;

const mongoUrl = () => `mongodb://admin:password@127.0.0.1:${env.MONGO_HOST_PORT}/?authSource=admin`;
const containerOf = async (service: string) => (await containersWith(PROJECT_LABEL, `com.docker.compose.service=${service}`))[0]!;
const publish = (name: string) => broker('/log-rabbit', payloads.log(name, 'must not be lost'));

/** Each name's number of stored entries, once every one of them has at least one. */
const storedCounts = (names: string[], timeoutMs = 60_000) =>
  waitFor(`${names.length} events to be stored`, async () => {
    const counts = await logs.countsByName(names);
    return counts.every((count) => count > 0) && counts;
  }, timeoutMs, 250);

/** Events waiting in the listener's queue, not yet handed to a consumer. */
async function queued(): Promise<number> {
  const channel = await amqp.createChannel();
  try {
    return (await channel.checkQueue(LOG_QUEUE)).messageCount;
  } finally {
    await channel.close();
  }
}

/** Until the listener consumes again with nothing in hand and nothing waits in its queue. */
const listenerIdle = (container: string) =>
  waitFor('the listener to consume with nothing in hand and an empty queue', async () => {
    const status = await listenerStatus(container);
    return status?.consuming === true && status.inFlight === 0 && (await queued()) === 0 && status;
  }, 60_000, 250);

async function removeTestVolumes(): Promise<void> {
  const volumes = lines(await docker('volume', 'ls', '--quiet', '--filter', `label=${PROJECT_LABEL}`));
  if (volumes.length > 0) await docker('volume', 'rm', ...volumes);
}

beforeAll(async () => {
  const ports = await choosePorts(
    'BROKER_PORT',
    'FRONT_END_PORT',
    'MAIL_UI_PORT',
    'RABBITMQ_UI_PORT',
    'POSTGRES_HOST_PORT',
    'MONGO_HOST_PORT',
    'AMQP_HOST_PORT',
    'SMTP_HOST_PORT',
    'PROMETHEUS_PORT',
    'JAEGER_UI_PORT',
  );
  // With the observability profile: Prometheus and Jaeger run beside the stack, as README's "Metrics" and "Tracing" say.
  env = { COMPOSE_PROJECT_NAME: TEST_PROJECT, TAG: TEST_TAG, CLIENT_PORTS: '1', COMPOSE_PROFILES: 'observability', ...ports };
  // What a run that was stopped half-way left behind: its containers, and its data.
  await make('down', env);
  await removeTestVolumes();

  const started = Date.now();
  await make('up_build', env, { timeoutMs: 25 * 60_000 });
  console.log(`make up_build: every image built and every container healthy after ${((Date.now() - started) / 1000).toFixed(0)} s`);

  broker = brokerPost(`http://127.0.0.1:${env.BROKER_PORT}`);
  logs = new StoredLogs(mongoUrl());
  mongo = new MongoClient(mongoUrl());
  mail = mailCatcherClient(`http://127.0.0.1:${env.MAIL_UI_PORT}`);
  amqp = await amqplib.connect(`amqp://guest:guest@127.0.0.1:${env.AMQP_HOST_PORT}`);
}, 30 * 60_000);

afterAll(async () => {
  await amqp?.close().catch(() => undefined);
  await mongo?.close();
  await logs?.close();
  if (env === undefined) return;
  if (!downDone) await make('down', env, { check: false });
  await removeTestVolumes();
}, 5 * 60_000);

describe('make up_build', () => {
  it('when done, every image is built from its Dockerfile and every container of the stack is healthy', async () => {
    for (const image of SERVICE_IMAGES) expect(await docker('image', 'inspect', '--format', '{{.Config.User}}', image), image).toBe('node');
    const names = await Promise.all(COMPOSE_SERVICES.map(containerOf));
    expect(names.every(Boolean), `containers: ${names.join(', ')}`).toBe(true);
    for (const name of names) expect(await healthOf(name), name).toBe('healthy');
  });

  it('when done, publishes the page, the broker and the tools on 127.0.0.1 at the ports the variables chose', async () => {
    const published = async (service: string) => docker('port', await containerOf(service));
    expect(await published('broker-service')).toBe(`80/tcp -> 127.0.0.1:${env.BROKER_PORT}`);
    expect(await published('front-end')).toBe(`80/tcp -> 127.0.0.1:${env.FRONT_END_PORT}`);
    expect(await published('mailhog')).toContain(`8025/tcp -> 127.0.0.1:${env.MAIL_UI_PORT}`);
    expect(await published('rabbitmq')).toContain(`15672/tcp -> 127.0.0.1:${env.RABBITMQ_UI_PORT}`);
  });
});

describe('the observability profile', () => {
  it("points every service at the stack's Jaeger; without it, or with the endpoint set empty, no service traces", async () => {
    // What make up hands docker-compose, read back from `docker-compose config` (values as it prints them).
    const endpoints = async (env: Record<string, string>) => {
      const unset = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'COMPOSE_PROFILES'].filter((name) => !(name in env)).flatMap((name) => ['-u', name]);
      const { stdout } = await run('env', [...unset, 'offline/stack.sh', 'compose', 'config'], { env });
      return [...stdout.matchAll(/^\s+OTEL_EXPORTER_OTLP_ENDPOINT: (.*)$/gm)].map((match) => match[1]!.replace(/^'(.*)'$/, '$1'));
    };
    const services = 5; // broker, authentication, logger, listener, mail: the front-end serves a page
    expect(await endpoints({ COMPOSE_PROFILES: 'observability' })).toEqual(Array(services).fill('http://jaeger:4318'));
    expect(await endpoints({})).toEqual(Array(services).fill(''));
    expect(await endpoints({ COMPOSE_PROFILES: 'observability', OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toEqual(Array(services).fill(''));
  });

  it('Prometheus scrapes every service of the stack and reports each up', async () => {
    type Result = { metric: { instance: string }; value: [number, string] };
    const up = await waitFor('Prometheus to scrape the six services', async () => {
      const response = await fetch(`http://127.0.0.1:${env.PROMETHEUS_PORT}/api/v1/query?query=${encodeURIComponent('up{job="go-micro"}')}`).catch(() => undefined);
      if (!response?.ok) return false;
      const found = ((await response.json()) as { data: { result: Result[] } }).data.result;
      return found.length === 6 && found.every((result) => result.value[1] === '1') && found;
    }, 120_000, 2_000);
    expect(up.map((result) => result.metric.instance).sort()).toEqual(
      ['authentication-service:80', 'broker-service:80', 'front-end:80', 'listener-service:80', 'logger-service:80', 'mailer-service:80'],
    );
  });

  it("a log entry's trace reaches Jaeger with the broker's and the logger's spans", async () => {
    const traceId = [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    const response = await fetch(`http://127.0.0.1:${env.BROKER_PORT}/handle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify(payloads.log(uniqueName('traced'), 'in Jaeger')),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-trace-id')).toBe(traceId);
    const services = await waitFor('the trace in Jaeger', async () => {
      const reply = await fetch(`http://127.0.0.1:${env.JAEGER_UI_PORT}/api/traces/${traceId}`).catch(() => undefined);
      if (!reply?.ok) return false;
      const { data } = (await reply.json()) as { data: { processes: Record<string, { serviceName: string }> }[] };
      const names = new Set(Object.values(data[0]?.processes ?? {}).map((process) => process.serviceName));
      return names.has('broker-service') && names.has('logger-service') && names;
    }, 60_000, 1_000);
    expect([...services].sort()).toEqual(['broker-service', 'logger-service']);
  });
});

describe("the broker's routes, from outside, with the course's payloads", () => {
  it('POST / answers Hit the broker', async () => {
    const { status, body } = await broker('/');
    expect([status, body]).toEqual([200, { error: false, message: 'Hit the broker' }]);
  });

  it('/handle auth logs the admin in through the authentication service and Postgres', async () => {
    const { status, body } = await broker('/handle', payloads.auth);
    expect(status).toBe(202);
    expect(body).toMatchObject({ error: false, message: 'Authenticated!', data: { email: 'admin@example.com' } });
  });

  it.each([
    ['/handle (JSON-RPC)', '/handle', (name: string) => `Processed payload via RPC:${name}`],
    ['/log-grpc', '/log-grpc', () => 'logged'],
    ['/log-rabbit', '/log-rabbit', () => 'logged via RabbitMQ'],
    ['/log-http', '/log-http', () => 'logged'],
  ])('%s: the entry is stored in MongoDB once', async (_label, path, message) => {
    const name = uniqueName('route');
    const { status, body } = await broker(path, path === '/handle' ? payloads.log(name) : { log: { name, data: 'from the container tests' } });
    expect([status, body]).toEqual([202, { error: false, message: message(name) }]);
    expect(await storedCounts([name])).toEqual([1]);
  });

  it('/handle mail: the mail service sends it and it reaches the catcher', async () => {
    const subject = uniqueName('mail');
    const { status, body } = await broker('/handle', payloads.mail(subject));
    expect([status, body]).toEqual([202, { error: false, message: 'Message sent to you@there.com' }]);
    const caught = await mail.waitForMessage((m) => m.subject === subject, 20_000);
    expect(caught.to.map((a) => a.address)).toEqual(['you@there.com']);
    expect(caught.text).toContain('Hello world!');
  });

  it('when the input is bad, answers 400 naming what is wrong', async () => {
    const badEmail = await broker('/handle', { action: 'auth', auth: { email: 'not-an-email', password: 'x' } });
    expect([badEmail.status, badEmail.body.error]).toEqual([400, true]);
    expect(badEmail.body.message).toContain('auth.email');
    const unknown = await broker('/handle', { action: 'nothing' });
    expect([unknown.status, unknown.body]).toEqual([400, { error: true, message: 'unknown action' }]);
  });
});

describe('the page, clicked in Chromium', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await openTestPage(browser, `http://localhost:${env.FRONT_END_PORT}/`);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  everyButtonWorks(() => ({
    page,
    findLog: (name, data) => vi.waitUntil(() => mongo.db('logs').collection('logs').findOne({ name, data }), { timeout: 20_000, interval: 200 }),
    waitForMail: (predicate) => mail.waitForMessage(predicate, 20_000),
  }));
});

describe('faults', () => {
  it('when the listener crashes with events queued, its restart policy brings it back and every event is stored once', async () => {
    const listener = await containerOf('listener-service');
    const restarts = Number(await docker('inspect', '--format', '{{.RestartCount}}', listener));
    // Frozen, the listener takes nothing more and holds what it has unacknowledged; the rest queues.
    await docker('pause', listener);
    const names = Array.from({ length: 30 }, () => uniqueName('crash'));
    const replies = await Promise.all(names.map(publish));
    expect(replies.map((reply) => reply.status)).toEqual(names.map(() => 202));
    expect(await queued()).toBeGreaterThan(0);

    // A crash, not a stop: `docker kill` counts as a stop by hand, after which Docker's restart
    // policies leave a container down. SIGKILL to its process from outside is what a crash looks like.
    await crash(listener);
    await waitFor('the restart policy to restart the listener', async () => Number(await docker('inspect', '--format', '{{.RestartCount}}', listener)) > restarts);
    await waitFor('the restarted listener to be healthy', async () => (await healthOf(listener)) === 'healthy', 120_000);

    await storedCounts(names);
    const status = await listenerIdle(listener);
    console.log(`listener crash: ${names.length} events, ${status.redelivered} redelivered to the restarted listener`);
    expect(await logs.countsByName(names)).toEqual(names.map(() => 1));
  });

  it('when RabbitMQ restarts, the broker and the listener reconnect and logging over the queue works again', async () => {
    const rabbitmq = await containerOf('rabbitmq');
    await docker('restart', rabbitmq);
    await waitFor('RabbitMQ to be healthy again', async () => (await healthOf(rabbitmq)) === 'healthy', 120_000);
    // Our own connection went with it.
    await amqp.close().catch(() => undefined);
    amqp = await waitFor('an AMQP connection to the restarted RabbitMQ', () => amqplib.connect(`amqp://guest:guest@127.0.0.1:${env.AMQP_HOST_PORT}`));

    const first = await waitFor('the broker to publish again', async () => {
      const name = uniqueName('after-restart');
      return (await publish(name)).status === 202 && name;
    }, 120_000);
    const names = [first, ...Array.from({ length: 9 }, () => uniqueName('after-restart'))];
    const replies = await Promise.all(names.slice(1).map(publish));
    expect(replies.map((reply) => reply.status)).toEqual(names.slice(1).map(() => 202));
    await storedCounts(names);
    await listenerIdle(await containerOf('listener-service'));
    expect(await logs.countsByName(names)).toEqual(names.map(() => 1));
  });
});

describe('make down', () => {
  it('when done, leaves no container, network or anonymous volume of the stack behind', async () => {
    const containers = lines(await docker('ps', '--all', '--quiet', '--filter', `label=${PROJECT_LABEL}`));
    // Volumes without a compose name: the anonymous ones an image's VOLUME creates (mongo's /data/configdb).
    const mounts = lines(await docker('inspect', '--format', '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}', ...containers).then((s) => s.replace(/ /g, '\n')));
    const named = new Set(lines(await docker('volume', 'ls', '--quiet', '--filter', `label=${PROJECT_LABEL}`)));
    const anonymous = mounts.filter((volume) => !named.has(volume));

    await make('down', env);
    downDone = true;
    expect(lines(await docker('ps', '--all', '--quiet', '--filter', `label=${PROJECT_LABEL}`))).toEqual([]);
    expect(lines(await docker('network', 'ls', '--quiet', '--filter', `label=${PROJECT_LABEL}`))).toEqual([]);
    const left = lines(await docker('volume', 'ls', '--quiet')).filter((volume) => anonymous.includes(volume));
    expect(left).toEqual([]);
  });
});

/** Kills a container's main process with SIGKILL, as a crash would; a paused one is thawed to receive it. */
async function crash(container: string): Promise<void> {
  const pid = await docker('inspect', '--format', '{{.State.Pid}}', container);
  const paused = (await docker('inspect', '--format', '{{.State.Paused}}', container)) === 'true';
  if (process.getuid?.() === 0) process.kill(Number(pid), 'SIGKILL');
  // Not root: from a container that sees the host's processes (what the docker group may do anyway).
  else await docker('run', '--rm', '--pid=host', '--user=0', '--entrypoint=node', `go-micro/listener-service:${TEST_TAG}`, '-e', `process.kill(${pid}, 'SIGKILL')`);
  if (paused) await docker('unpause', container);
}
