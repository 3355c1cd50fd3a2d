import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { countAsStatic, createHttpApp, createLogger, labelAction, metricsRegistry, reply, watchQueueDepth } from '../src/index.js';

// The request histogram's labels, and which families a process shows, read from the registry as Prometheus would.
let app: RunningApp;
const files = mkdtempSync(join(tmpdir(), 'static-'));
writeFileSync(join(files, 'hello.txt'), 'hello');

beforeAll(async () => {
  const logger = createLogger('metrics-test', { level: 'silent', pretty: false });
  app = await startApp(
    createHttpApp({ logger, corsOrigins: ['http://page.test'] }, (routes) => {
      routes.get('/users/:id', (_req, res) => reply(res, 200, 'a user'));
      routes.post('/handle', (req, res) => {
        labelAction(req, 'auth');
        reply(res, 202, 'handled');
      });
      routes.use('/static', countAsStatic, express.static(files));
    }),
  );
});
afterAll(() => app?.close());

/** The `_count` sample of http_server_request_duration_seconds with exactly these labels (and the service's none), or 0. */
async function requests(labels: Record<string, string>): Promise<number> {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`).sort().join(',');
  for (const line of (await metricsRegistry.metrics()).split('\n')) {
    const match = /^http_server_request_duration_seconds_count\{([^}]*)\} (\d+)$/.exec(line);
    if (match && match[1]!.split(',').sort().join(',') === wanted) return Number(match[2]);
  }
  return 0;
}

describe('http_server_request_duration_seconds labels', () => {
  it('labels a routed request by its route pattern, a static file as static, a path nobody serves as not_found and a preflight as preflight', async () => {
    await fetch(`${app.url}/users/17`);
    await fetch(`${app.url}/users/18`);
    await fetch(`${app.url}/static/hello.txt`);
    await fetch(`${app.url}/static/missing.txt`);
    await fetch(`${app.url}/nothing-here`);
    await fetch(`${app.url}/handle`, { method: 'OPTIONS', headers: { origin: 'http://page.test', 'access-control-request-method': 'POST' } });

    expect(await requests({ method: 'GET', route: '/users/:id', status: '200' })).toBe(2);
    expect(await requests({ method: 'GET', route: 'static', status: '200' })).toBe(1);
    expect(await requests({ method: 'GET', route: 'not_found', status: '404' })).toBe(2);
    expect(await requests({ method: 'OPTIONS', route: 'preflight', status: '204' })).toBe(1);
  });

  it('adds the action a route named, and none where it named none', async () => {
    await fetch(`${app.url}/handle`, { method: 'POST' });
    expect(await requests({ method: 'POST', route: '/handle', status: '202', action: 'auth' })).toBe(1);
    expect(await requests({ method: 'POST', route: '/handle', status: '202' })).toBe(0);
  });
});

describe('the families a process shows', () => {
  it('shows a queue family only once something watches a queue', async () => {
    expect(await metricsRegistry.metrics()).not.toContain('# TYPE queue_depth');
    expect(await metricsRegistry.metrics()).not.toContain('# TYPE outbound_request_duration_seconds');

    const stop = watchQueueDepth('some_queue', async () => 3);

    expect(await metricsRegistry.metrics()).toContain('queue_depth{queue="some_queue"} 3');
    stop();
  });
});
