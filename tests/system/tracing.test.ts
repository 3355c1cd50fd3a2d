import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postJSON } from '@go-micro/testkit/http.js';
import { startJaeger, type Jaeger, type JaegerSpan } from '@go-micro/testkit/jaeger.js';
import { freePorts } from '@go-micro/testkit/free-port.js';
import { sharedFerretDB, sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type ServiceName, type System } from '@go-micro/testkit/system.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';

// The whole system as processes, sending its spans to a real Jaeger (offline/tools/jaeger) over OTLP/HTTP.
let jaeger: Jaeger;
let system: System;

const traced: ServiceName[] = ['logger', 'authentication', 'listener', 'mail', 'broker'];
/** What compose sets, with this Jaeger's address, at the services' default level (the kit quiets them to warn): each hop's line is at info. */
const tracingEnv = (endpoint: string) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, LOG_LEVEL: 'info' });

beforeAll(async () => {
  jaeger = await startJaeger();
  system = await startSystem({
    services: traced,
    mongo: sharedFerretDB(),
    mail: sharedMailCatcher(),
    env: Object.fromEntries(traced.map((name) => [name, tracingEnv(jaeger.otlpEndpoint)])),
  });
}, 180_000);
afterAll(async () => {
  await system?.shutdown();
  await jaeger?.stop();
});

/** A W3C traceparent with a fresh trace id, as a page or a gateway in front would send it. */
function newTrace(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

async function send(path: string, body: unknown): Promise<{ traceId: string; status: number; body: unknown }> {
  const { traceId, traceparent } = newTrace();
  const reply = await postJSON(`${system.brokerUrl}${path}`, body, { 'content-type': 'application/json', traceparent });
  return { traceId, ...reply };
}

type Chain = { span: string; kind: string }[];

/** Polls Jaeger until the trace holds every span of the chains, then checks each chain runs parent to child. */
async function expectTrace(traceId: string, ...chains: Chain[]): Promise<void> {
  const spans = await traceWith(traceId, chains.flat().map((link) => link.span));
  for (const chain of chains) expectChain(spans, chain);
}

/** Polls Jaeger until the trace holds every span in `wanted` (service: name), then returns its spans, oldest first. */
async function traceWith(traceId: string, wanted: string[]): Promise<JaegerSpan[]> {
  let spans: JaegerSpan[] = [];
  try {
    await vi.waitUntil(
      async () => {
        spans = await jaeger.spans(traceId);
        const have = new Set(spans.map(label));
        return wanted.every((span) => have.has(span));
      },
      { timeout: 20_000, interval: 200 },
    );
  } catch {
    throw new Error(`trace ${traceId} has ${JSON.stringify(spans.map(label))}, not all of ${JSON.stringify(wanted)}`);
  }
  return spans;
}

const label = (span: JaegerSpan) => `${span.service}: ${span.operationName}`;
const kind = (span: JaegerSpan) => span.tags.find((tag) => tag.key === 'span.kind')?.value;

/** The spans named in `chain`, each the child of the one before it and started no earlier. */
function expectChain(spans: JaegerSpan[], chain: Chain): void {
  let parent: JaegerSpan | undefined;
  for (const { span: wanted, kind: wantedKind } of chain) {
    const candidates = spans.filter((span) => label(span) === wanted && kind(span) === wantedKind);
    const found = candidates.find((span) => !parent || span.references.some((ref) => ref.refType === 'CHILD_OF' && ref.spanID === parent!.spanID));
    expect(found, `${wanted} (${wantedKind}) as the child of ${parent ? label(parent) : 'the caller'}`).toBeDefined();
    if (parent) expect(found!.startTime).toBeGreaterThanOrEqual(parent.startTime);
    parent = found;
  }
}

/** `service` printed lines for this trace with its id, among them `message` (its access line, or its line per call). */
async function expectLogLines(service: ServiceName, traceId: string, message: string): Promise<void> {
  const process = system.process(service)!;
  const [line] = await process.waitForOutput(new RegExp(`^.*"traceId":"${traceId}".*"msg":"${message}".*$`, 'm'), 10_000);
  expect(JSON.parse(line)).toMatchObject({ service: `${service}-service`, traceId, msg: message });
}

const logBody = (name: string) => ({ action: 'log', log: { name, data: 'traced' } });
const broker = 'broker-service';
const logger = 'logger-service';

describe('one trace per request, across every transport', () => {
  it('when a log goes over JSON-RPC (/handle), the trace runs broker → JSON-RPC client → logger → MongoDB, and both services log its id', async () => {
    const { traceId, status } = await send('/handle', logBody(uniqueName('rpc')));
    expect(status).toBe(202);

    await expectTrace(
      traceId,
      [
        { span: `${broker}: POST /handle`, kind: 'server' },
        { span: `${broker}: RPCServer.LogInfo`, kind: 'client' },
        { span: `${logger}: RPCServer.LogInfo`, kind: 'server' },
        { span: `${logger}: mongodb insert logs`, kind: 'client' },
      ],
    );
    await expectLogLines('broker', traceId, 'request completed');
    await expectLogLines('logger', traceId, 'JSON-RPC call answered');
  });

  it('when a log goes over gRPC (/log-grpc), the trace runs broker → gRPC client → logger → MongoDB', async () => {
    const { traceId, status } = await send('/log-grpc', logBody(uniqueName('grpc')));
    expect(status).toBe(202);

    await expectTrace(
      traceId,
      [
        { span: `${broker}: POST /log-grpc`, kind: 'server' },
        { span: `${broker}: logs.LogService/WriteLog`, kind: 'client' },
        { span: `${logger}: logs.LogService/WriteLog`, kind: 'server' },
        { span: `${logger}: mongodb insert logs`, kind: 'client' },
      ],
    );
    await expectLogLines('broker', traceId, 'request completed');
    await expectLogLines('logger', traceId, 'gRPC call answered');
  });

  it('when a log goes through RabbitMQ (/log-rabbit), the trace runs broker → publish → listener → logger → MongoDB, and the listener logs its id', async () => {
    const { traceId, status } = await send('/log-rabbit', logBody(uniqueName('rabbit')));
    expect(status).toBe(202);

    await expectTrace(
      traceId,
      [
        { span: `${broker}: POST /log-rabbit`, kind: 'server' },
        { span: `${broker}: publish logs_topic`, kind: 'producer' },
        { span: 'listener-service: process logs_listener', kind: 'consumer' },
        { span: 'listener-service: POST logger-service/log', kind: 'client' },
        { span: `${logger}: POST /log`, kind: 'server' },
        { span: `${logger}: mongodb insert logs`, kind: 'client' },
      ],
    );
    // One grep of the trace id over every service's output finds each hop's line, at the default level.
    await expectLogLines('broker', traceId, 'request completed');
    await expectLogLines('listener', traceId, 'message settled');
    await expectLogLines('logger', traceId, 'request completed');
  });

  it('when a log goes over REST (/log-http), the trace runs broker → HTTP client → logger → MongoDB', async () => {
    const { traceId, status } = await send('/log-http', logBody(uniqueName('http')));
    expect(status).toBe(202);

    await expectTrace(
      traceId,
      [
        { span: `${broker}: POST /log-http`, kind: 'server' },
        { span: `${broker}: POST logger-service/log`, kind: 'client' },
        { span: `${logger}: POST /log`, kind: 'server' },
        { span: `${logger}: mongodb insert logs`, kind: 'client' },
      ],
    );
    await expectLogLines('logger', traceId, 'request completed');
  });

  it('when a user logs in (/handle auth), the trace runs broker → authentication → Postgres, and on to the logger', async () => {
    const email = await createUser(system.database.url);
    const { traceId, status } = await send('/handle', { action: 'auth', auth: { email, password: 'verysecret' } });
    expect(status).toBe(202);

    await expectTrace(
      traceId,
      [
        { span: `${broker}: POST /handle`, kind: 'server' },
        { span: `${broker}: POST authentication-service/authenticate`, kind: 'client' },
        { span: 'authentication-service: POST /authenticate', kind: 'server' },
        { span: 'authentication-service: postgres SELECT', kind: 'client' },
      ],
      [
        { span: 'authentication-service: POST /authenticate', kind: 'server' },
        { span: 'authentication-service: POST logger-service/log', kind: 'client' },
        { span: `${logger}: POST /log`, kind: 'server' },
        { span: `${logger}: mongodb insert logs`, kind: 'client' },
      ],
    );
    await expectLogLines('authentication', traceId, 'request completed');
  });

  it('when a mail is sent (/handle mail), the trace runs broker → mail service → SMTP', async () => {
    const to = `${uniqueName('you')}@there.com`;
    const { traceId, status } = await send('/handle', { action: 'mail', mail: { from: 'me@example.com', to, subject: 'Traced', message: 'Hello' } });
    expect(status).toBe(202);

    await expectTrace(
      traceId,
      [
        { span: `${broker}: POST /handle`, kind: 'server' },
        { span: `${broker}: POST mail-service/send`, kind: 'client' },
        { span: 'mail-service: POST /send', kind: 'server' },
        { span: 'mail-service: smtp send', kind: 'client' },
      ],
    );
    await expectLogLines('mail', traceId, 'mail sent');
  });
});

describe('a sign-up and its welcome mail', () => {
  it('are one trace: broker → authentication → outbox → publish → mail service → SMTP, and each service logs its id', async () => {
    const email = `${uniqueName('traced')}@example.com`;
    const { traceId, status } = await send('/handle', { action: 'register', register: { email, first_name: 'Trace', last_name: 'Tester', password: 'traced-password-1' } });
    expect(status).toBe(202);

    await expectTrace(
      traceId,
      [
        { span: `${broker}: POST /handle`, kind: 'server' },
        { span: `${broker}: POST authentication-service/register`, kind: 'client' },
        { span: 'authentication-service: POST /register', kind: 'server' },
        { span: 'authentication-service: publish users_topic', kind: 'producer' },
        { span: 'mail-service: process mail_welcome', kind: 'consumer' },
        { span: 'mail-service: smtp send', kind: 'client' },
      ],
    );
    await expectLogLines('authentication', traceId, 'request completed');
    await expectLogLines('mail', traceId, 'welcome mail sent');
    await expectLogLines('mail', traceId, 'message settled');
  });

  it("the outbox's polling, outside any request, makes no trace of its own", async () => {
    // The sign-up above was published by a round of polling, after which its trace was complete: the round's
    // queries (SELECT ... FROM outbox, UPDATE outbox), had they been traced, were exported with it.
    const response = await fetch(`${jaeger.queryUrl}/api/traces?service=authentication-service&lookback=1h&limit=10000`);
    const { data } = (await response.json()) as { data: { spans: { operationName: string; tags: { key: string; value: unknown }[] }[] }[] };
    const polling = /FROM outbox WHERE sent_at IS NULL|UPDATE outbox SET sent_at/;
    const outboxQueries = data.flatMap((trace) => trace.spans).filter((span) => span.tags.some((tag) => tag.key === 'db.query.text' && polling.test(String(tag.value))));
    expect(data.length).toBeGreaterThan(0);
    expect(outboxQueries.map((span) => span.operationName)).toEqual([]);
  });
});

describe('with the collector unreachable', () => {
  it('requests still succeed, and the broker says so in one line', async () => {
    // A port nobody listens on: every export fails, off the request path.
    const [nowhere] = await freePorts(1);
    await system.stop('logger');
    await system.stop('broker');
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${nowhere}` };
    await system.start('logger', 0, env);
    await system.start('broker', 0, env);

    const replies = [];
    for (let i = 0; i < 20; i++) replies.push(await send('/log-grpc', logBody(uniqueName('no-collector'))));

    expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 202));
    // Once the batch (1 s) has tried and failed, the broker says so in one line, not one per span.
    await system.process('broker')!.waitForOutput(/"msg":"tracing: [^"]*"/, 15_000);
    expect(system.process('broker')!.output().match(/"msg":"tracing: /g)).toHaveLength(1);
  });

  it('a collector that takes exports and never answers is sent one at a time, so the spans held stay bounded', async () => {
    // Reads each export and never replies; half a second after each export arrives, counts the
    // exports still open. (At the moment one arrives, the one before may not have been seen to
    // close yet, though the exporter gave it up first; exports that overlap stay open for seconds.)
    const sockets = new Set<Socket>();
    const counting = new Set<NodeJS.Timeout>();
    let exports = 0;
    let mostAtOnce = 0;
    const collector = createServer((socket) => {
      sockets.add(socket);
      exports++;
      const count = setTimeout(() => {
        counting.delete(count);
        mostAtOnce = Math.max(mostAtOnce, sockets.size);
      }, 500);
      counting.add(count);
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      await system.stop('broker');
      await system.start('broker', 0, { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}` });
      // A span a request, for 8 s: batches of 512 go out at once, and each export gives up after
      // its 3 s timeout. The SDK's batch processor starts the next batch while the failed one's
      // flag is still cleared behind it: without the exporter's limit, two were open for seconds
      // once the first had failed, three or four by the end of the 8 s, and twelve after 20 s of load.
      const until = Date.now() + 8_000;
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (Date.now() < until) expect((await postJSON(`${system.brokerUrl}/`, {})).status).toBe(200);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(exports).toBeGreaterThanOrEqual(2);
      expect(mostAtOnce).toBe(1);
    } finally {
      for (const count of counting) clearTimeout(count);
      for (const socket of sockets) socket.destroy();
      collector.close();
    }
  }, 30_000);
});

/** A user of this test's own, with the seeded admin's password (verysecret), straight into the service's database. */
async function createUser(databaseUrl: string): Promise<string> {
  const email = `${uniqueName('user')}@example.com`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (email, first_name, last_name, password, user_active)
       SELECT $1, 'Trace', 'Tester', password, 1 FROM users WHERE email = 'admin@example.com'`,
      [email],
    );
  } finally {
    await client.end();
  }
  return email;
}
