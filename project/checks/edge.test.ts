import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, createHttpApp, createLogger, listen, reply } from '@go-micro/toolkit';
import { freePorts } from '@go-micro/testkit/free-port.js';
import { spawnManaged, type ManagedProcess } from '@go-micro/testkit/managed-process.js';
import type { BrokerDeps } from '../../broker-service/src/handlers.js';
import { mountRoutes } from '../../broker-service/src/routes.js';
import { deployerEnv, loadKubernetes, PRODUCTION_ENV, PROJECT } from './deployments.js';
import { deployerSecrets, kubernetesFiles } from './kubernetes-files.js';
import { run } from './validators.js';

// What whoever reaches Caddy or the ingress can reach: never a service's /metrics or /ready, which
// Prometheus and the orchestrators read on the inside. Asked in every form a path can take.
const INTERNAL_PATHS = ['/metrics', '/ready', '/METRICS', '/Ready', '/metrics?x=1', '/ready?x=1', '/metrics/', '//metrics', '/./metrics', '/static/../metrics', '/%6Detrics', '/%72eady'];

const CADDY = process.env.CADDY ?? 'caddy';

interface Reply {
  status: number;
  body: string;
}

/** A request with its path sent exactly as written (fetch would normalize it). */
function get(port: number, host: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

describe('Caddy (run for real in front of a service built with the toolkit)', () => {
  let service: Server;
  let servicePort: number;
  const caddies: ManagedProcess[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'edge-check-'));

  beforeAll(async () => {
    // The services' own front door: /metrics, /ready and /ping as every service answers them.
    const logger = createLogger('edge-check', { level: 'silent', pretty: false });
    const app = createHttpApp({ logger }, (routes) => routes.get('/client', (req, res) => reply(res, 200, String(req.headers['x-forwarded-for']))));
    service = await listen(app, 0, { host: '127.0.0.1' });
    servicePort = (service.address() as { port: number }).port;
  });
  afterAll(async () => {
    await Promise.all(caddies.map((caddy) => caddy.stop()));
    if (service) await closeServer(service);
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Adapts a Caddyfile with `env`, turns its admin endpoint off, runs it, and resolves once `host` answers /ping through it. */
  async function startCaddy(file: string, env: Record<string, string>, port: number, host: string): Promise<void> {
    const caddyEnv = deployerEnv({ ...env, FRONT_END_UPSTREAM: `127.0.0.1:${servicePort}`, BROKER_UPSTREAM: `127.0.0.1:${servicePort}`, XDG_CONFIG_HOME: scratch, XDG_DATA_HOME: scratch });
    const adapted = await run(CADDY, ['adapt', '--config', join(PROJECT, file), '--adapter', 'caddyfile'], { env: caddyEnv });
    expect(adapted.exitCode, adapted.all).toBe(0);
    const config = { ...(JSON.parse(adapted.stdout) as object), admin: { disabled: true } };
    const configFile = join(scratch, `${file}.json`);
    writeFileSync(configFile, JSON.stringify(config));
    const caddy = spawnManaged('caddy', CADDY, ['run', '--config', configFile], { env: caddyEnv });
    caddies.push(caddy);
    await expect.poll(async () => (await get(port, host, '/ping').catch(() => undefined))?.status, { timeout: 20_000, interval: 200 }).toBe(200);
  }

  const sites: { file: string; hosts: string[]; env: (port: number) => Record<string, string> }[] = [
    { file: 'Caddyfile', hosts: ['localhost', 'backend'], env: (port) => ({ HTTP_PORT: String(port) }) },
    // Plain HTTP on a free port stands in for the deployer's HTTPS domains: the routes are the same.
    {
      file: 'Caddyfile.production',
      hosts: ['front.example', 'broker.example'],
      env: (port) => ({ ...PRODUCTION_ENV, FRONTEND_DOMAIN: `http://front.example:${port}`, BACKEND_DOMAIN: `http://broker.example:${port}` }),
    },
  ];

  for (const { file, hosts, env } of sites) {
    it(`when ${file} is asked for /metrics or /ready on any site, in any spelling, the service's never answer, while its routes do`, async () => {
      const [port] = await freePorts(1);
      await startCaddy(file, env(port!), port!, hosts[0]!);

      for (const host of hosts) {
        expect(await get(port!, host, '/ping'), `${host} /ping`).toEqual({ status: 200, body: '.' });
        for (const path of INTERNAL_PATHS) {
          const { status, body } = await get(port!, host, path);
          expect(status, `${host} ${path}`).not.toBe(200);
          expect(body, `${host} ${path}`).not.toContain('# HELP');
        }
      }
    });

    it(`when a client sends its own X-Forwarded-For through ${file}, the service is told the address Caddy saw instead`, async () => {
      const [port] = await freePorts(1);
      await startCaddy(file, env(port!), port!, hosts[0]!);

      for (const host of hosts) {
        const { body } = await get(port!, host, '/client', { 'x-forwarded-for': '203.0.113.9' });
        expect(JSON.parse(body), host).toEqual({ error: false, message: '127.0.0.1' });
      }
    });
  }
});

interface IngressPath {
  path: string;
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  backend: { service: { name: string } };
}
interface IngressObject {
  kind: string;
  object: { spec: { rules: { host: string; http: { paths: IngressPath[] } }[] } };
}

/** The path ingress-nginx matches a request by: no query, percent-decoded, slashes merged, dot segments resolved. Case is kept. */
const normalized = (path: string) => posix.normalize(decodeURIComponent(path.split('?')[0]!).replace(/\/+/g, '/'));

/** The Service a request reaches, by the Ingress rules: an Exact path first, else the longest Prefix by whole segments. */
function routeOf(paths: IngressPath[], requested: string): string | undefined {
  const path = normalized(requested);
  const exact = paths.find((p) => p.pathType === 'Exact' && p.path === path);
  if (exact) return exact.backend.service.name;
  const prefix = (p: IngressPath) => p.path.replace(/\/+$/, '');
  const matching = paths
    .filter((p) => p.pathType !== 'Exact' && (prefix(p) === '' || path === prefix(p) || path.startsWith(`${prefix(p)}/`)))
    .sort((a, b) => b.path.length - a.path.length);
  return matching[0]?.backend.service.name;
}

describe('the Kubernetes ingress (project/ingress.yml, decoded by the Kubernetes types, matched as the Ingress spec says)', () => {
  let rules: IngressObject['object']['spec']['rules'];
  beforeAll(async () => {
    const set = await loadKubernetes([...kubernetesFiles(), (await deployerSecrets()).file]);
    rules = (set.objects.find((o) => o.kind === 'Ingress') as unknown as IngressObject).object.spec.rules;
  });
  const pathsOf = (service: string) => rules.find((rule) => rule.http.paths.some((p) => p.backend.service.name === service))!.http.paths;

  it('when /metrics or /ready is asked of any host, in any spelling, no rule sends it to a service', () => {
    for (const rule of rules) {
      for (const path of INTERNAL_PATHS) expect(routeOf(rule.http.paths, path), `${rule.host} ${path}`).toBeUndefined();
    }
  });

  it("when the page posts to any of the broker's routes, the broker host sends it to the broker", () => {
    const brokerRoutes: string[] = [];
    const recorder = { post: (path: string) => brokerRoutes.push(path) };
    mountRoutes(recorder as unknown as Express, { logTransports: {} } as unknown as BrokerDeps);

    expect(brokerRoutes.length).toBeGreaterThan(0);
    for (const route of brokerRoutes) expect(routeOf(pathsOf('broker-service'), route), route).toBe('broker-service');
  });

  it('when a browser opens the page and its static files (front-end/templates), the page host sends them to the front end', () => {
    for (const path of ['/', '/static/app.css', '/static/app.js', '/static/bootstrap/css/bootstrap.min.css']) {
      expect(routeOf(pathsOf('front-end'), path), path).toBe('front-end');
    }
  });
});
