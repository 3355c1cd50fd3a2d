import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createApp } from '../src/app.js';
import { buttons } from '../src/buttons.js';

const logger = createLogger('front-end', { level: 'silent', pretty: false });
const links = {
  dashboardUrl: 'http://logs.test:8082/admin/dashboard',
  mailUiUrl: 'http://mail.test:8025',
  prometheusUrl: 'http://prometheus.test:9090',
  tracesUrl: 'http://jaeger.test:16686/',
};
let app: RunningApp;
beforeAll(async () => {
  app = await startApp(createApp({ logger, brokerUrl: 'http://broker.test:8080/', links }));
});
afterAll(() => app.close());

const decode = (attribute: string) => attribute.replaceAll('&quot;', '"').replaceAll('&#x3D;', '=');

describe('GET /', () => {
  it('renders the layout, its partials and the broker address from BROKER_URL', async () => {
    const response = await fetch(`${app.url}/`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('<header');
    expect(html).toContain('<footer');
    expect(html).toContain('data-broker-url="http://broker.test:8080"');
  });

  it("carries every button with the course's exact payload", async () => {
    const html = await (await fetch(`${app.url}/`)).text();
    const rendered = [...html.matchAll(/<button[^>]*id="(\w+)"[^>]*data-path="([^"]*)" data-payload="([^"]*)">([^<]+)</g)].map(
      ([, id, path, payload, label]) => ({ id, path, label, payload: payload ? JSON.parse(decode(payload!)) : undefined }),
    );
    expect(rendered.map((b) => b.label)).toEqual([
      'Test Broker',
      'Test Auth',
      'Test Log',
      'Test Log via RabbitMQ',
      'Test Log via REST',
      'Test gRPC log',
      'Test Mail',
      'Test Register',
    ]);
    expect(rendered).toEqual(buttons.map(({ id, path, label, payload }) => ({ id, path, label, payload })));
    expect(html).toMatch(/<button[^>]*id="registerBtn"[^>]*data-unique-email="true"/);
    expect(html.match(/data-unique-email/g)).toHaveLength(1);
    expect(rendered.find((b) => b.label === 'Test Auth')?.payload).toEqual({
      action: 'auth',
      auth: { email: 'admin@example.com', password: 'verysecret' },
    });
    expect(rendered.find((b) => b.label === 'Test gRPC log')?.payload).toEqual({
      action: 'log',
      log: { name: 'event', data: 'Some kind of gRPC data' },
    });
  });

  it('serves Bootstrap, the page script and the favicon itself, with no CDN', async () => {
    const html = await (await fetch(`${app.url}/`)).text();
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    expect(html).toContain('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">');
    for (const path of ['/static/bootstrap/css/bootstrap.min.css', '/static/bootstrap/js/bootstrap.bundle.min.js', '/static/app.js', '/static/favicon.svg']) {
      expect((await fetch(`${app.url}${path}`)).status, path).toBe(200);
    }
  });

  it('links the dashboard, the mail catcher, Prometheus and the trace API from its configuration', async () => {
    const html = await (await fetch(`${app.url}/`)).text();
    const rendered = Object.fromEntries([...html.matchAll(/<a class="ms-2" id="([\w-]+)" href="([^"]+)"/g)].map(([, id, href]) => [id, decode(href!).replaceAll('&amp;', '&')]));
    expect(rendered).toEqual({
      'dashboard-link': 'http://logs.test:8082/admin/dashboard',
      'mail-link': 'http://mail.test:8025',
      'prometheus-link': 'http://prometheus.test:9090',
      'traces-link': 'http://jaeger.test:16686/api/traces?service=broker-service&limit=20',
    });
    // Each reply's trace is linked from the page's script, under Jaeger's address.
    expect(html).toContain('data-traces-url="http://jaeger.test:16686"');
  });

  it('when a link is configured empty, leaves it out; with none, shows no links at all', async () => {
    const some = await startApp(createApp({ logger, brokerUrl: 'http://broker.test:8080', links: { ...links, prometheusUrl: '', tracesUrl: '' } }));
    const none = await startApp(createApp({ logger, brokerUrl: 'http://broker.test:8080' }));
    try {
      const html = await (await fetch(`${some.url}/`)).text();
      expect(html).toContain('id="dashboard-link"');
      expect(html).not.toContain('id="prometheus-link"');
      expect(html).not.toContain('id="traces-link"');
      expect(html).toContain('data-traces-url=""');
      expect(await (await fetch(`${none.url}/`)).text()).not.toContain('id="system-links"');
    } finally {
      await Promise.all([some.close(), none.close()]);
    }
  });
});
