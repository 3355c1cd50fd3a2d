import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@go-micro/toolkit';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createApp } from '../src/app.js';
import { buttons } from '../src/buttons.js';

let app: RunningApp;
beforeAll(async () => {
  app = await startApp(createApp({ logger: createLogger('front-end', { level: 'silent', pretty: false }), brokerUrl: 'http://broker.test:8080/' }));
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

  it('serves Bootstrap and the page script itself, with no CDN', async () => {
    const html = await (await fetch(`${app.url}/`)).text();
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    for (const path of ['/static/bootstrap/css/bootstrap.min.css', '/static/bootstrap/js/bootstrap.bundle.min.js', '/static/app.js']) {
      expect((await fetch(`${app.url}${path}`)).status, path).toBe(200);
    }
  });
});
