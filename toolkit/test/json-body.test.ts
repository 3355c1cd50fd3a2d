import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { postJSON, postUntyped, startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createHttpApp, createLogger, jsonBody, reply, validate } from '../src/index.js';

const schema = z.object({ name: z.string({ error: 'must be a string' }), nested: z.object({ count: z.number() }).optional() });

let app: RunningApp;
beforeAll(async () => {
  const logger = createLogger('test', { level: 'silent', pretty: false });
  app = await startApp(
    createHttpApp({ logger }, (express) => {
      express.post('/echo', jsonBody(), (req, res) => reply(res, 202, 'ok', validate(schema, req.body)));
      express.post('/nobody', (_req, res) => reply(res, 200, 'no body needed'));
      express.post('/boom', () => {
        throw new Error('secret internals at /srv/app.js:12');
      });
    }),
  );
});
afterAll(() => app.close());

describe('strict JSON bodies', () => {
  it('when the body is one valid value, answers with it', async () => {
    const { status, body, headers } = await postJSON(`${app.url}/echo`, { name: 'x' });
    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'ok', data: { name: 'x' } });
    expect(headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('when the JSON is malformed, answers 400 badly-formed', async () => {
    const { status, body } = await postJSON(`${app.url}/echo`, '{"name":');
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'body contains badly-formed JSON' });
  });

  it('when a second JSON value follows the first, answers 400 single JSON value', async () => {
    const { status, body } = await postJSON(`${app.url}/echo`, '{"name":"a"}{"name":"b"}');
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'body must have only a single JSON value' });
  });

  it('when the body is over 1 MiB, answers 413 naming the limit', async () => {
    const { status, body } = await postJSON(`${app.url}/echo`, JSON.stringify({ name: 'x'.repeat(1024 * 1024) }));
    expect(status).toBe(413);
    expect(body).toEqual({ error: true, message: 'body must not be larger than 1 MiB' });
  });

  it('when the body is empty, answers 400 must not be empty', async () => {
    const { status, body } = await postJSON(`${app.url}/echo`);
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'body must not be empty' });
  });

  it('when a field is missing or of the wrong type, answers 400 naming it', async () => {
    const missing = await postJSON(`${app.url}/echo`, {});
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: true, message: 'name: must be a string' });
    const nested = await postJSON(`${app.url}/echo`, { name: 'a', nested: { count: 'three' } });
    expect(nested.status).toBe(400);
    expect(nested.body.message).toMatch(/^nested\.count: /);
  });

  it('when the content type is not JSON, answers 415', async () => {
    const { status, body } = await postJSON(`${app.url}/echo`, '{"name":"x"}', { 'content-type': 'text/plain' });
    expect(status).toBe(415);
    expect(body).toEqual({ error: true, message: 'Content-Type must be application/json' });
  });

  it('when a form or a body without a content type is posted, answers 415: no page of another site can post here without a preflight', async () => {
    const cases: Record<string, string>[] = [{ 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'multipart/form-data; boundary=x' }, {}];
    for (const headers of cases) {
      const { status, body } = await postJSON(`${app.url}/echo`, '{"name":"x"}', headers);
      expect(status, JSON.stringify(headers)).toBe(415);
      expect(body).toEqual({ error: true, message: 'Content-Type must be application/json' });
    }
  });

  it('when a non-JSON body is posted to a route that reads none, answers 415 too', async () => {
    const { status } = await postJSON(`${app.url}/nobody`, 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(status).toBe(415);
  });

  it('when a POST has no body at all, passes whatever its content type', async () => {
    const { status, body } = await postJSON(`${app.url}/nobody`, undefined, {});
    expect(status).toBe(200);
    expect(body).toEqual({ error: false, message: 'no body needed' });
  });

  it('when the JSON nests deeper than 64 levels, answers 400 without parsing it', async () => {
    const deep = `{"name":"x","nested":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const { status, body } = await postJSON(`${app.url}/echo`, deep);
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'body must not nest deeper than 64 levels' });
    const { status: atLimit } = await postJSON(`${app.url}/echo`, `{"name":"x","other":${'['.repeat(63)}${']'.repeat(63)}}`);
    expect(atLimit).toBe(202);
  });
});

describe('the error envelope', () => {
  it('when a route throws an unexpected error, answers 500 without internals', async () => {
    const { status, body } = await postJSON(`${app.url}/boom`, {});
    expect(status).toBe(500);
    expect(body).toEqual({ error: true, message: 'internal error' });
  });

  it('when the route does not exist, answers 404 in the envelope', async () => {
    const { status, body } = await postJSON(`${app.url}/nowhere`, {});
    expect(status).toBe(404);
    expect(body).toEqual({ error: true, message: 'not found' });
  });

  it('answers GET /ping with a dot and echoes a given request id', async () => {
    const response = await fetch(`${app.url}/ping`, { headers: { 'x-request-id': 'abc-123' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('.');
    const echoed = await fetch(`${app.url}/nowhere`, { headers: { 'x-request-id': 'abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
  });
});

describe('bodies without Content-Type, on a service only other services call (untypedFromServices)', () => {
  let internal: RunningApp;
  beforeAll(async () => {
    const logger = createLogger('test', { level: 'silent', pretty: false });
    internal = await startApp(
      createHttpApp({ logger, untypedFromServices: true }, (express) => {
        express.post('/echo', jsonBody(), (req, res) => reply(res, 202, 'ok', validate(schema, req.body)));
      }),
    );
  });
  afterAll(() => internal.close());

  it("when another service sends JSON without a Content-Type, as the Go original's do, reads it as JSON", async () => {
    const { status, body } = await postUntyped(`${internal.url}/echo`, '{"name":"from Go"}');
    expect([status, body]).toEqual([202, { error: false, message: 'ok', data: { name: 'from Go' } }]);
  });

  it.each([
    ['an Origin', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-origin', { 'sec-fetch-site': 'same-origin' }],
  ])('when a body without Content-Type comes with %s (from a browser), answers 415', async (_case, headers) => {
    const { status, body } = await postUntyped(`${internal.url}/echo`, '{"name":"x"}', headers);
    expect([status, body]).toEqual([415, { error: true, message: 'Content-Type must be application/json' }]);
  });

  it('when a body says it is text, answers 415 all the same', async () => {
    const { status } = await postJSON(`${internal.url}/echo`, '{"name":"x"}', { 'content-type': 'text/plain' });
    expect(status).toBe(415);
  });

  it('without the option, a body without Content-Type answers 415 (the broker, which browsers reach)', async () => {
    const { status } = await postUntyped(`${app.url}/echo`, '{"name":"x"}');
    expect(status).toBe(415);
  });
});
