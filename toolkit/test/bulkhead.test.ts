import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Bulkhead, HttpError, metricsRegistry } from '../src/index.js';
import { ServiceClient } from '../src/client.js';

// A stand-in upstream that holds every request until released: calls stay in flight as long as the test wants.
let upstream: Server | undefined;
const held: (() => void)[] = [];
const release = () => held.splice(0).forEach((answer) => answer());
async function slowService(): Promise<{ url: string; received: () => number }> {
  let received = 0;
  upstream = createServer((_req, res) => {
    received++;
    held.push(() => res.writeHead(202, { 'content-type': 'application/json' }).end('{"error":false,"message":"done"}'));
  });
  await new Promise<void>((resolve) => upstream!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, received: () => received };
}
afterEach(() => {
  release();
  upstream?.closeAllConnections();
  upstream?.close();
  upstream = undefined;
});

async function refusedCount(target: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('outbound_calls_refused_total')!.get();
  return metric.values.find((value) => value.labels.target === target)?.value ?? 0;
}

describe('a bulkhead in front of a service', () => {
  it('when as many calls as allowed wait on the service, the next is refused at once with 503 "<service> is busy" and Retry-After, and is never sent', async () => {
    const service = await slowService();
    const client = new ServiceClient({ name: 'slow-service', baseUrl: service.url, bulkhead: new Bulkhead('slow-service', 2) });
    const waiting = [client.post('/x', {}), client.post('/x', {})];
    await expect.poll(service.received, { timeout: 10_000 }).toBe(2);
    const before = await refusedCount('slow-service');

    const refused = await client.post('/x', {}).then(() => undefined, (err: unknown) => err);

    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 503, message: 'slow-service is busy; try again in 1 s', retryAfterSeconds: 1 });
    expect((await refusedCount('slow-service')) - before).toBe(1);
    release();
    expect((await Promise.all(waiting)).map((reply) => reply.status)).toEqual([202, 202]);
    expect(service.received()).toBe(2);
  });

  it('when a call ends, its place is free again, whichever transport shares the bulkhead', async () => {
    const service = await slowService();
    const shared = new Bulkhead('shared-service', 1);
    const client = new ServiceClient({ name: 'shared-service', baseUrl: service.url, bulkhead: shared });
    const first = client.post('/x', {});
    await expect.poll(service.received, { timeout: 10_000 }).toBe(1);

    // Another transport to the same service waits behind the same bound.
    await expect(shared.run(async () => 'other transport')).rejects.toMatchObject({ status: 503 });
    release();
    await first;

    expect(await shared.run(async () => 'other transport')).toBe('other transport');
  });
});
