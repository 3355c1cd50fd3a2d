import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createHttpApp, createLogger, serviceUnavailable } from '../src/index.js';

let dependencyUp = true;
let checks = 0;
let app: RunningApp;
let stalled: RunningApp;

beforeAll(async () => {
  const logger = createLogger('test', { level: 'silent', pretty: false });
  const check = async () => {
    checks++;
    if (!dependencyUp) throw serviceUnavailable('Postgres', new Error('connect ECONNREFUSED 10.0.0.7:5432'));
  };
  app = await startApp(createHttpApp({ logger, ready: { dependency: 'Postgres', check } }, () => undefined));
  stalled = await startApp(createHttpApp({ logger, ready: { dependency: 'Postgres', check: () => new Promise(() => {}) } }, () => undefined));
});
afterAll(async () => {
  await app?.close();
  await stalled?.close();
});

const ready = async (url: string) => {
  const response = await fetch(`${url}/ready`);
  return { status: response.status, body: (await response.json()) as unknown };
};

describe('GET /ready', () => {
  it('when the dependency answers, answers 200 ready; /ping stays the heartbeat', async () => {
    dependencyUp = true;
    expect(await ready(app.url)).toEqual({ status: 200, body: { error: false, message: 'ready' } });
    expect(await (await fetch(`${app.url}/ping`)).text()).toBe('.');
  });

  it('when the dependency is down, answers 503 naming it, never its address', async () => {
    dependencyUp = false;
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the one-second cache
    expect(await ready(app.url)).toEqual({ status: 503, body: { error: true, message: 'Postgres is unavailable' } });
    dependencyUp = true;
  });

  it('when the check hangs, answers 503 within its bound', async () => {
    expect(await ready(stalled.url)).toEqual({ status: 503, body: { error: true, message: 'Postgres did not answer in time' } });
  });

  it('when probed a hundred times at once, checks once', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = checks;
    await Promise.all(Array.from({ length: 100 }, () => ready(app.url)));
    expect(checks - before).toBe(1);
  });
});
