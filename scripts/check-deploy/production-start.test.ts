import { request } from 'node:http';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MongoServer } from '@go-micro/testkit/ferretdb.js';
import { freePorts } from '@go-micro/testkit/free-port.js';
import type { SharedMailCatcher } from '@go-micro/testkit/mail-catcher.js';
import { spawnManaged, type ManagedProcess } from '@go-micro/testkit/managed-process.js';
import { createTestDatabase, type TestDatabase } from '@go-micro/testkit/postgres.js';
import { createTestVhost, type TestVhost } from '@go-micro/testkit/rabbitmq.js';
import { sharedFerretDB, sharedMailCatcher } from '@go-micro/testkit/shared-servers.js';
import { PROJECT, type ServiceName } from './deployments.js';
import { replayDockerfile, type ReplayedImage } from './dockerfile-replay.js';
import { dockerfileOf, parseDockerfiles } from './dockerfiles.js';
import { imageNode, imageNodeVersion } from './image-node.js';
import { type ImageProcess, startImage } from './image-process.js';
import { cacheDir } from './cache-dir.js';
import { REPO_ROOT, run, runValidator } from './validators.js';

// In the order a system comes up: what a service calls is started before it.
const ORDER: ServiceName[] = ['logger-service', 'authentication-service', 'mailer-service', 'listener-service', 'broker-service', 'front-end'];
const REPLAY_TIMEOUT_MS = 600_000;

let work: string;
let nodeVersion: string;
let db: TestDatabase;
let vhost: TestVhost;
let mongo: MongoServer;
let mail: SharedMailCatcher;
let port: Record<ServiceName | 'rpc' | 'grpc' | 'caddy', number>;
const replays = new Map<ServiceName, Promise<ReplayedImage>>();
const running = new Map<ServiceName, ImageProcess>();
let caddy: ManagedProcess | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'go-micro-images-'));
  // The services run as a non-root user, who must be able to reach their files.
  await chmod(work, 0o755);
  const context = REPO_ROOT.replace(/\/$/, '');
  const contextFiles: string[] = JSON.parse((await runValidator('dockerfile-check', ['-context', context])).stdout);
  const parsed = await parseDockerfiles(ORDER.map(dockerfileOf));
  // The Node of the FROM lines, not this machine's, builds and runs every image.
  nodeVersion = imageNodeVersion(parsed);
  const node = await imageNode(nodeVersion);
  console.log(`replaying on the images' Node: ${node.path} --version says ${(await run(node.path, ['--version'])).stdout.trim()}`);
  // Two builds at a time: this machine has two cores, and npm ci is mostly waiting on the disk.
  const queue = [...ORDER];
  const next = (): Promise<void> | undefined => {
    const name = queue.shift();
    if (name === undefined) return undefined;
    const replay = replayDockerfile(parsed[dockerfileOf(name)]!, {
      context,
      contextFiles,
      workDir: join(work, name),
      layerCache: join(cacheDir(), 'image-layers', name),
      npmCache: join(cacheDir(), 'npm'),
      node,
    });
    replays.set(name, replay);
    replay.catch(() => undefined);
    return replay.then(next, next);
  };
  void next();
  void next();

  // The run's FerretDB and Mailpit (the services only write to them), a database and vhost of our own.
  [mongo, mail] = [sharedFerretDB(), sharedMailCatcher()];
  [db, vhost] = await Promise.all([createTestDatabase('gomicro_images'), createTestVhost('gomicro_images')]);
  const [logger, rpc, grpc, auth, mailer, listener, broker, front, caddyPort] = await freePorts(9);
  port = { 'logger-service': logger!, rpc: rpc!, grpc: grpc!, 'authentication-service': auth!, 'mailer-service': mailer!, 'listener-service': listener!, 'broker-service': broker!, 'front-end': front!, caddy: caddyPort! };
}, REPLAY_TIMEOUT_MS);

afterAll(async () => {
  await caddy?.stop();
  await Promise.all([...running.values()].map((p) => p.stop()));
  await Promise.allSettled([db?.drop(), vhost?.delete()]);
  // CHECK_DEPLOY_KEEP=1 keeps the replayed images and their build logs to look at.
  if (process.env.CHECK_DEPLOY_KEEP) console.log(`replayed images kept in ${work}`);
  else await rm(work, { recursive: true, force: true });
});

const local = (name: ServiceName) => `http://127.0.0.1:${port[name]}`;
const envOf = (name: ServiceName): Record<string, string> =>
  ({
    'logger-service': {
      MONGO_URL: mongo.url,
      RPC_PORT: String(port.rpc),
      GRPC_PORT: String(port.grpc),
      AUTH_SERVICE_URL: local('authentication-service'),
      SESSION_SECRET: 'replay-session-secret-of-32-characters',
    },
    'authentication-service': {
      DSN: db.url,
      LOGGER_SERVICE_URL: local('logger-service'),
      RABBIT_URL: vhost.url,
      TOKEN_SECRET: 'replay-token-secret-of-32-characters-',
    },
    'mailer-service': { MAIL_HOST: mail.smtpHost, MAIL_PORT: String(mail.smtpPort), RABBIT_URL: vhost.url, DSN: db.url },
    'listener-service': { RABBIT_URL: vhost.url, LOGGER_SERVICE_URL: local('logger-service') },
    'broker-service': {
      RABBIT_URL: vhost.url,
      AUTH_SERVICE_URL: local('authentication-service'),
      LOGGER_SERVICE_URL: local('logger-service'),
      MAIL_SERVICE_URL: local('mailer-service'),
      LOGGER_RPC_ADDR: `127.0.0.1:${port.rpc}`,
      LOGGER_GRPC_ADDR: `127.0.0.1:${port.grpc}`,
    },
    'front-end': { BROKER_URL: `http://backend:${port.caddy}` },
  })[name];

describe("each image's build and start, replayed natively (production dependencies only, non-root)", () => {
  for (const name of ORDER) {
    it(`when ${name}'s Dockerfile is replayed and its CMD started on the image's Node, its own HEALTHCHECK passes`, async () => {
      const image = await replays.get(name)!;
      const service = startImage(name, image, { PORT: String(port[name]), ...envOf(name) });
      running.set(name, service);
      await service.waitHealthy();
      // The process that answers runs the image's Node binary, and so does the HEALTHCHECK's `node`.
      const executable = await service.executable();
      expect(executable).toBe(image.node.path);
      expect((await run(executable, ['--version'])).stdout.trim()).toBe(`v${nodeVersion}`);
      expect((await service.exec(['node', '--version'])).stdout.trim()).toBe(`v${nodeVersion}`);
    }, REPLAY_TIMEOUT_MS);
  }
});

describe('the local Caddyfile, served by Caddy in front of the page and the broker', () => {
  beforeAll(async () => {
    const home = join(work, 'caddy');
    caddy = spawnManaged('caddy', 'caddy', ['run', '--config', join(PROJECT, 'Caddyfile'), '--adapter', 'caddyfile'], {
      inheritEnv: false,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_DATA_HOME: home,
        XDG_CONFIG_HOME: home,
        HTTP_PORT: String(port.caddy),
        CADDY_ADMIN: 'off',
        FRONT_END_UPSTREAM: `127.0.0.1:${port['front-end']}`,
        BROKER_UPSTREAM: `127.0.0.1:${port['broker-service']}`,
      },
    });
    // Caddy on port.caddy passes requests to the page.
    await vi.waitUntil(
      async () => {
        caddy!.assertRunning();
        return (await viaCaddy('localhost', 'GET', '/').catch(() => undefined))?.status === 200;
      },
      { timeout: 20_000, interval: 200 },
    );
  });

  it('when asked for host localhost, answers with the test page', async () => {
    const page = await viaCaddy('localhost', 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Test Broker');
    expect(page.body).toContain(`http://backend:${port.caddy}`);
  });

  it('when asked for host backend, answers as the broker', async () => {
    const hit = await viaCaddy('backend', 'POST', '/');
    expect(hit.status).toBe(200);
    expect(JSON.parse(hit.body)).toEqual({ error: false, message: 'Hit the broker' });
  });

  it('when the seeded user logs in through Caddy, the broker and the authentication service answer together', async () => {
    const body = JSON.stringify({ action: 'auth', auth: { email: 'admin@example.com', password: 'verysecret' } });
    const reply = await viaCaddy('backend', 'POST', '/handle', body);
    expect(JSON.parse(reply.body)).toMatchObject({ error: false, message: 'Authenticated!', data: { email: 'admin@example.com' } });
    expect(reply.status).toBe(202);
  });
});

describe('stopping', () => {
  it('when sent SIGTERM as docker stop does, every service exits by itself with status 0', async () => {
    const codes = Object.fromEntries(await Promise.all([...running].map(async ([name, p]) => [name, await p.stop()] as const)));
    expect(codes).toEqual(Object.fromEntries(ORDER.map((name) => [name, 0])));
  });
});

function viaCaddy(host: string, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: port.caddy, method, path, headers: { Host: host, 'Content-Type': 'application/json' }, timeout: 10_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from Caddy for ${host}${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}
