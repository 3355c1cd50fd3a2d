import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, serviceConfig, SHED_LOG_INTERVAL_MS } from '@go-micro/toolkit';
import { startFerretDB, type FerretDB } from '@go-micro/testkit/ferretdb.js';
import { sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { startSystem, type System } from '@go-micro/testkit/system.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { expectAllAlive, floodWithRequests, holdSlowConnections, MARK, rawPost, requestOnNewConnection, type Attack } from './hostile-kit.js';

// The broker at its default limits, held by clients that never finish their requests or that keep
// it waiting on a logger whose database is down, while others open new connections and ask it
// something else: the "0 of 148 answered for 40 s" and "209-258 of 3,000 /log-rabbit unanswered".
const { MAX_CONNECTIONS } = loadConfig(serviceConfig({}), {});
const NEW_REQUESTS = 100;
const AT_ONCE = 10;
/** The new requests are spread over this long, past the 10 s headers deadline, so held connections are cut and re-opened meanwhile. */
const SPREAD_MS = 20_000;

let ferret: FerretDB;
let system: System;
let brokerPort: number;
const attacks: Attack[] = [];

beforeAll(async () => {
  ferret = await startFerretDB();
  system = await startSystem({ services: ['logger', 'listener', 'broker'], mongo: ferret, mail: sharedMailCatcher() }).catch(async (err: unknown) => {
    await ferret.stop();
    throw err;
  });
  brokerPort = Number(new URL(system.brokerUrl).port);
}, 120_000);
afterAll(async () => {
  await Promise.all(attacks.map((attack) => attack.stop()));
  await system?.shutdown();
  await ferret?.stop();
}, 60_000);

/**
 * `count` requests, each on a connection of its own, `AT_ONCE` at a time, the groups started evenly
 * over SPREAD_MS (as a user comes back now and then, not all at once): the status each got,
 * undefined when unanswered.
 */
async function onNewConnections(count: number, request: () => string): Promise<(number | undefined)[]> {
  const statuses: (number | undefined)[] = [];
  const started = Date.now();
  for (let i = 0; i < count; i += AT_ONCE) {
    const startAt = started + (SPREAD_MS * i) / count;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
    statuses.push(...(await Promise.all(Array.from({ length: Math.min(AT_ONCE, count - i) }, () => requestOnNewConnection(brokerPort, request())))));
  }
  return statuses;
}

const tally = (statuses: (number | undefined)[]) => statuses.reduce<Record<string, number>>((all, status) => ({ ...all, [status ?? 'none']: (all[status ?? 'none'] ?? 0) + 1 }), {});

/** A series of the broker's /metrics (summed over the series that have `labels`); NaN when /metrics itself is not answered. */
async function brokerMetric(name: string, labels = ''): Promise<number> {
  const text = await fetch(`${system.brokerUrl}/metrics`, { signal: AbortSignal.timeout(30_000) }).then((response) => response.text(), () => undefined);
  if (text === undefined) return NaN;
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

const hitTheBroker = () => 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

describe('slow clients at the connection limit', () => {
  it('when 300 connections trickle their headers and re-open as they are cut, every request on a new connection is answered', async () => {
    const slow = holdSlowConnections(brokerPort, 300);
    attacks.push(slow);
    await expect.poll(() => slow.stats().opened, { timeout: 30_000 }).toBeGreaterThanOrEqual(300);

    const statuses = await onNewConnections(NEW_REQUESTS, hitTheBroker);
    await slow.stop();

    console.log(`300 slow connections held (${slow.stats().opened} opened): ${statuses.filter((s) => s === 200).length} of ${NEW_REQUESTS} requests on new connections answered`, tally(statuses));
    expect(statuses).toEqual(Array(NEW_REQUESTS).fill(200));
  }, 120_000);

  it(`when more slow connections than MAX_CONNECTIONS (${MAX_CONNECTIONS}) are held, new connections close the slowest, every request on one is answered, and /metrics and one log line per interval say so`, async () => {
    const shedBefore = await brokerMetric('http_connections_shed_total', 'reason="slow"');
    const started = Date.now();
    const slow = holdSlowConnections(brokerPort, MAX_CONNECTIONS + 300);
    attacks.push(slow);
    // Every one of them has connected once, and the first are past the grace: they now close each other's oldest.
    // (Within the first second, when all were younger than the grace, new ones were refused, counted and logged.)
    await expect.poll(() => slow.stats().opened, { timeout: 60_000 }).toBeGreaterThanOrEqual(MAX_CONNECTIONS + 300);
    await expect.poll(() => brokerMetric('http_connections_shed_total', 'reason="slow"'), { timeout: 60_000, interval: 500 }).toBeGreaterThan(shedBefore);

    const statuses = await onNewConnections(NEW_REQUESTS, hitTheBroker);
    const shed = {
      idle: await brokerMetric('http_connections_shed_total', 'reason="idle"'),
      slow: (await brokerMetric('http_connections_shed_total', 'reason="slow"')) - shedBefore,
      refused: await brokerMetric('http_connections_shed_total', 'reason="refused"'),
    };
    const elapsedMs = Date.now() - started;
    await slow.stop();

    const lines = system
      .process('broker')!
      .output()
      .split('\n')
      .filter((line) => line.includes('"at the connection limit'))
      .map((line) => JSON.parse(line) as { closedIdle: number; closedSlow: number; refused: number; maxConnections: number });
    console.log(
      `${MAX_CONNECTIONS + 300} slow connections held (${slow.stats().opened} opened, ${slow.stats().cut} cut): ` +
        `${statuses.filter((s) => s === 200).length} of ${NEW_REQUESTS} requests on new connections answered`,
      tally(statuses),
      `; shed in /metrics`, shed,
      `; ${lines.length} log lines in ${(elapsedMs / 1000).toFixed(0)} s`,
    );
    expect(statuses).toEqual(Array(NEW_REQUESTS).fill(200));
    expect(shed.slow).toBeGreaterThan(0);
    // The first at once, then one per interval: more than SPREAD_MS has passed, so at least two.
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(Math.floor(elapsedMs / SHED_LOG_INTERVAL_MS) + 1);
    expect(lines.every((line) => line.maxConnections === MAX_CONNECTIONS)).toBe(true);
    expect(lines.reduce((sum, line) => sum + line.closedSlow, 0)).toBeGreaterThan(0);
  }, 180_000);
});

describe('a slow dependency on one route', () => {
  it(`when MongoDB is down and ${MAX_CONNECTIONS + 200} connections keep logging requests waiting on the logger, /log-rabbit on new connections is answered`, async () => {
    await ferret.stop();
    const refusedBefore = await brokerMetric('outbound_calls_refused_total', 'target="logger-service"');
    const routes = ['/handle', '/log-grpc', '/log-http'];
    const flood = floodWithRequests(brokerPort, MAX_CONNECTIONS + 200, (i) => rawPost(routes[i % routes.length]!, { action: 'log', log: { name: `${MARK}-slow`, data: 'x' } }, false));
    attacks.push(flood);
    // Under way once each of its connections has had about one reply.
    const repliesSoFar = () => Object.values(flood.stats().replies).reduce((sum, n) => sum + n, 0);
    await expect.poll(repliesSoFar, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(MAX_CONNECTIONS);

    const statuses = await onNewConnections(NEW_REQUESTS, () => rawPost('/log-rabbit', { log: { name: uniqueName('rabbit-during-outage'), data: 'x' } }));
    const refused = (await brokerMetric('outbound_calls_refused_total', 'target="logger-service"')) - refusedBefore;
    const shedIdle = await brokerMetric('http_connections_shed_total', 'reason="idle"');
    const { opened, replies } = flood.stats();
    await flood.stop();

    console.log(
      `MongoDB down, ${MAX_CONNECTIONS + 200} connections logging (${opened} opened; replies to them by status ${JSON.stringify(replies)}): ` +
        `${statuses.filter((s) => s === 202).length} of ${NEW_REQUESTS} /log-rabbit requests on new connections answered`,
      tally(statuses),
      `; logger calls refused as busy ${refused}, idle connections closed ${shedIdle}`,
    );
    expect(statuses).toEqual(Array(NEW_REQUESTS).fill(202));
    expect(refused).toBeGreaterThan(0);
    await expectAllAlive(system, ['broker', 'logger', 'listener']);
  }, 180_000);
});
