import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  COMPOSE_FILES,
  composeDeployment,
  type Deployment,
  deployerEnv,
  loadCompose,
  loadKubernetes,
  kubernetesDeployment,
  PRODUCTION_ENV,
  PROJECT,
  SERVICE_NAMES,
  SERVICES,
  type ServiceName,
} from './deployments.js';
import { environmentProblems, SCHEMAS } from './environment.js';
import { SERVICES as LISTED } from '@go-micro/testkit/services.js';
import { serviceImageEnv } from './image-env.js';
import { deployerSecrets, kubernetesFiles } from './kubernetes-files.js';

let images: Record<ServiceName, Record<string, string>>;
let compose: Deployment;

beforeAll(async () => {
  images = Object.fromEntries(SERVICE_NAMES.map((name) => [name, serviceImageEnv(name)])) as typeof images;
  compose = composeDeployment('docker-compose.yml', await loadCompose(COMPOSE_FILES.compose));
});

describe('each deployment sets exactly what its services read', () => {
  it('when docker-compose.yml is loaded, every variable is read, every address points at its host, and the page finds the broker on localhost:8080', () => {
    expect(environmentProblems({ deployment: compose, imageEnv: images, brokerUrl: 'http://localhost:8080', pageOrigin: 'http://localhost:8081' })).toEqual([]);
  });

  it('when swarm.yml is loaded, the same holds and the page finds the broker behind Caddy at http://backend', async () => {
    const swarm = composeDeployment('swarm.yml', await loadCompose(COMPOSE_FILES.swarm));
    expect(environmentProblems({ deployment: swarm, imageEnv: images, brokerUrl: 'http://backend', pageOrigin: 'http://localhost', proxyInFront: true })).toEqual([]);
  });

  it('when swarm.production.yml is loaded with a deployer\'s variables, the page finds the broker at https://$BACKEND_DOMAIN', async () => {
    const production = composeDeployment('swarm.production.yml', await loadCompose(COMPOSE_FILES.production, deployerEnv(PRODUCTION_ENV)));
    const brokerUrl = `https://${PRODUCTION_ENV.BACKEND_DOMAIN}`;
    expect(environmentProblems({ deployment: production, imageEnv: images, brokerUrl, pageOrigin: `https://${PRODUCTION_ENV.FRONTEND_DOMAIN}`, proxyInFront: true })).toEqual([]);
  });

  it("when the Kubernetes manifests are loaded, the deployer's Secrets (create-secrets.sh) resolved, the page finds the broker at its ingress host", async () => {
    const set = await loadKubernetes([...kubernetesFiles(), (await deployerSecrets()).file]);
    const ingress = set.objects.find((o) => o.kind === 'Ingress') as unknown as IngressObject;
    const brokerHost = ingress.object.spec.rules.find((r) => r.http.paths.some((p) => p.backend.service.name === 'broker-service'))?.host;
    expect(brokerHost, `no rule of ${PROJECT}/ingress.yml sends traffic to broker-service`).toBeDefined();
    const pageHost = ingress.object.spec.rules.find((r) => r.http.paths.some((p) => p.backend.service.name === 'front-end'))?.host;
    expect(environmentProblems({ deployment: kubernetesDeployment(set), imageEnv: images, brokerUrl: `http://${brokerHost}`, pageOrigin: `http://${pageHost}`, proxyInFront: true })).toEqual([]);
  });
});

describe('make dev', () => {
  it("when run natively, each service listens on its port in services.json, where the others' default addresses look for it", () => {
    for (const { host, port } of LISTED) expect((SCHEMAS[host as ServiceName].shape.PORT as z.ZodType).parse(undefined), host).toBe(port);
  });
});

describe('the environment check itself', () => {
  it("when the Dockerfile is read for a service, its last stage's ENV, SERVICE filled in, is what a container starts with", () => {
    for (const name of SERVICE_NAMES) expect(images[name], name).toEqual({ NODE_ENV: 'production', PORT: '80', BIND_ADDR: '0.0.0.0', SERVICE: SERVICES[name] });
  });

  /** The compose deployment with one service's variables changed (undefined removes one). */
  const changed = (service: ServiceName, env: Record<string, string | undefined>): Deployment => {
    const merged: Record<string, string | undefined> = { ...compose.hosts[service]!.env, ...env };
    const kept = Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return { label: 'changed', hosts: { ...compose.hosts, [service]: { ...compose.hosts[service]!, env: Object.fromEntries(kept) } } };
  };
  const problemsOf = (deployment: Deployment) => environmentProblems({ deployment, imageEnv: images, brokerUrl: 'http://localhost:8080' });

  it('when a variable is misspelled, names it as one the service does not read', () => {
    expect(problemsOf(changed('mailer-service', { MAIL_SERVR: 'mailhog' }))).toEqual([
      'changed: mailer-service: sets MAIL_SERVR, which mailer-service does not read (misspelled?)',
    ]);
  });

  it('when an address is missing, says the service would look for it in its own container', () => {
    expect(problemsOf(changed('broker-service', { AUTH_SERVICE_URL: undefined }))).toEqual([
      'changed: broker-service: AUTH_SERVICE_URL is not set, so in a container it would point at the container itself',
    ]);
  });

  it('when an address names the wrong host or port, says which', () => {
    expect(problemsOf(changed('authentication-service', { DSN: 'host=localhost dbname=users' }))).toEqual([
      'changed: authentication-service: DSN points at localhost; expected postgres',
    ]);
    expect(problemsOf(changed('broker-service', { LOGGER_RPC_ADDR: 'logger-service:5002' }))).toEqual([
      'changed: broker-service: LOGGER_RPC_ADDR dials logger-service:5002, which reaches port 5002; logger-service listens on 5001',
    ]);
  });

  it('when a value is invalid for the service, passes on its own message', () => {
    expect(problemsOf(changed('mailer-service', { MAIL_ENCRYPTION: 'starttls' }))).toEqual([
      'changed: mailer-service: MAIL_ENCRYPTION: expected none, tls or ssl',
    ]);
  });

  it('when a variable without a default is not set, says the service needs it', () => {
    const schemas = { ...SCHEMAS, 'front-end': z.object({ BROKER_URL: z.string(), SESSION_SECRET: z.string() }) as never };
    const problems = environmentProblems({ deployment: compose, imageEnv: images, brokerUrl: 'http://localhost:8080', schemas });
    expect(problems).toEqual(['docker-compose.yml: front-end: needs SESSION_SECRET, which is not set']);
  });

  it("when the broker does not allow the page's origin, says the browser may not read its replies", () => {
    const problems = environmentProblems({ deployment: changed('broker-service', { CORS_ORIGINS: 'http://localhost:9999' }), imageEnv: images, brokerUrl: 'http://localhost:8080', pageOrigin: 'http://localhost:8081' });
    expect(problems).toEqual([
      "changed: broker-service: CORS_ORIGINS does not allow the page's origin http://localhost:8081, so the browser may not read the broker's replies",
    ]);
  });

  it('when a service is bound to loopback in its container, says nothing else can reach it', () => {
    expect(problemsOf(changed('logger-service', { BIND_ADDR: '127.0.0.1' }))).toEqual([
      'changed: logger-service: BIND_ADDR is 127.0.0.1, so nothing outside its container can reach it (the images set 0.0.0.0)',
    ]);
  });

  it('when the broker believes X-Forwarded-For that browsers send it directly, or anybody\'s, or nobody\'s behind a proxy, says so', () => {
    expect(problemsOf(changed('broker-service', { TRUST_PROXY: 'loopback' }))).toEqual([
      'changed: broker-service: TRUST_PROXY is loopback, but browsers reach it directly, so a client may name its own address',
    ]);
    expect(problemsOf(changed('front-end', { TRUST_PROXY: 'true' }))).toEqual([
      'changed: front-end: TRUST_PROXY is true, so any client may name its own address in X-Forwarded-For',
    ]);
    expect(environmentProblems({ deployment: compose, imageEnv: images, brokerUrl: 'http://localhost:8080', proxyInFront: true })).toEqual([
      'docker-compose.yml: broker-service: TRUST_PROXY is false behind a proxy, so every client is seen as the proxy',
      'docker-compose.yml: front-end: TRUST_PROXY is false behind a proxy, so every client is seen as the proxy',
    ]);
  });

  it('when the page is given another broker address than the deployment publishes, says so', () => {
    expect(problemsOf(changed('front-end', { BROKER_URL: 'http://localhost:9090' }))).toEqual([
      'changed: front-end: BROKER_URL is http://localhost:9090, but the browser reaches the broker at http://localhost:8080',
    ]);
  });
});

interface IngressObject {
  object: { spec: { rules: { host: string; http: { paths: { backend: { service: { name: string } } }[] } }[] } };
}
