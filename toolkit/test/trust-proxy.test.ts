import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createHttpApp, createLogger, loadConfig, reply, serviceConfig, type TrustProxy } from '../src/index.js';

const schema = serviceConfig({});
const trustProxyOf = (value: string | undefined) => loadConfig(schema, value === undefined ? {} : { TRUST_PROXY: value }).TRUST_PROXY;

describe('TRUST_PROXY', () => {
  it("when it is unset, a service believes callers on this machine or a private network, in Express's names", () => {
    expect(trustProxyOf(undefined)).toBe('loopback, linklocal, uniquelocal');
  });

  it("when it is false, true, a hop count or a list of addresses, it is read as Express's trust proxy setting takes it", () => {
    expect(trustProxyOf('false')).toBe(false);
    expect(trustProxyOf('true')).toBe(true);
    expect(trustProxyOf('1')).toBe(1);
    expect(trustProxyOf('10.0.0.0/8, 192.168.1.7,loopback')).toBe('10.0.0.0/8, 192.168.1.7,loopback');
  });

  it('when it is not an address, a subnet or a known name, the service does not start, naming the variable', () => {
    for (const value of ['caddy', '10.0.0.0/99', '', 'loopback;true']) {
      expect(() => trustProxyOf(value), value).toThrow(/^invalid configuration: TRUST_PROXY: expected false, true, a number of hops/);
    }
  });
});

describe('the client address a service sees', () => {
  const apps: RunningApp[] = [];
  const start = async (trustProxy?: TrustProxy) => {
    const logger = createLogger('test', { level: 'silent', pretty: false });
    const app = await startApp(createHttpApp({ logger, trustProxy }, (express) => express.get('/ip', (req, res) => reply(res, 200, req.ip ?? 'none'))));
    apps.push(app);
    return app.url;
  };
  const ipSeenBy = async (url: string, forwardedFor: string) => ((await (await fetch(`${url}/ip`, { headers: { 'x-forwarded-for': forwardedFor } })).json()) as { message: string }).message;
  let trustingNobody: string;
  let byDefault: string;
  beforeAll(async () => {
    trustingNobody = await start(false);
    byDefault = await start();
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  it('when it trusts no proxy, a client naming another address in X-Forwarded-For is still seen at its own', async () => {
    expect(await ipSeenBy(trustingNobody, '203.0.113.9')).toBe('127.0.0.1');
  });

  it('when it trusts its callers on this machine (the default), the address they pass on is the client', async () => {
    expect(await ipSeenBy(byDefault, '203.0.113.9')).toBe('203.0.113.9');
  });
});
