import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SERVICES as LISTED } from '@go-micro/testkit/services.js';
import { REPO_ROOT, runValidator } from './validators.js';

/** A service's name as a host in every deployment (the course's mailer-service is the mail-service folder). */
export type ServiceName = 'broker-service' | 'authentication-service' | 'logger-service' | 'listener-service' | 'mailer-service' | 'front-end';
/** The system's services (services.json): their host names in every deployment, and their workspace folders. */
export const SERVICES = Object.fromEntries(LISTED.map((service) => [service.host, service.folder])) as Record<ServiceName, string>;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

export const PROJECT = join(REPO_ROOT, 'project');
export const COMPOSE_FILES = {
  compose: join(PROJECT, 'docker-compose.yml'),
  swarm: join(PROJECT, 'swarm.yml'),
  production: join(PROJECT, 'swarm.production.yml'),
} as const;

/** A credential as swarm.production.yml's header tells the deployer to make one: random, so every service takes it in production. */
const randomCredential = () => randomBytes(32).toString('hex');

/** What a deployer of swarm.production.yml sets (its required variables); the checks interpolate with these and nothing else. */
export const PRODUCTION_ENV = {
  FRONTEND_DOMAIN: 'swarm.example.com',
  BACKEND_DOMAIN: 'broker.example.com',
  ACME_EMAIL: 'ops@example.com',
  POSTGRES_PASSWORD: randomCredential(),
  MONGO_PASSWORD: randomCredential(),
  RABBITMQ_PASSWORD: randomCredential(),
  TOKEN_SECRET: randomCredential(),
  SESSION_SECRET: randomCredential(),
};

/** A process environment with only what a deployer sets, so the result does not depend on this shell. */
export const deployerEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...extra,
});

/** One running thing of a deployment, as the others see it. */
export interface Deployed {
  env: Record<string, string>;
  /** The container port that a connection to this host name on `port` reaches, if any. */
  containerPortFor(port: number): number | undefined;
}

export interface Deployment {
  label: string;
  /** By host name: compose service name, or Kubernetes Service name. */
  hosts: Record<string, Deployed>;
}

export interface ComposeService {
  image?: string;
  restart?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | null>;
  ports?: { target: number; published?: string; host_ip?: string }[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] };
  deploy?: { mode?: string; replicas?: number; restart_policy?: { condition?: string } };
  secrets?: { source: string }[];
  volumes?: { type: string; source?: string; target: string }[];
}
export interface ComposeProject {
  services: Record<string, ComposeService>;
  volumes?: Record<string, { external?: boolean }>;
}

/** A compose or swarm file as compose-go loads it (interpolated, normalized). */
export async function loadCompose(file: string, env = deployerEnv(PRODUCTION_ENV)): Promise<ComposeProject> {
  const result = await runValidator('compose-check', ['-print', file], env);
  if (result.exitCode !== 0) throw new Error(`compose-check ${file} failed:\n${result.all}`);
  return JSON.parse(result.stdout) as ComposeProject;
}

export function composeDeployment(label: string, project: ComposeProject): Deployment {
  const hosts: Record<string, Deployed> = {};
  for (const [name, service] of Object.entries(project.services)) {
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v ?? '']));
    // On a compose network a host name reaches every port its container listens on.
    hosts[name] = { env, containerPortFor: (port) => port };
  }
  return { label, hosts };
}

interface K8sObject {
  kind: string;
  name: string;
  object: {
    spec?: {
      selector?: Record<string, string>;
      ports?: { port: number; targetPort?: number | string }[];
      template?: { spec: { containers: { ports?: { name?: string; containerPort: number }[] }[] } };
    };
  };
}
export interface K8sSet {
  objects: K8sObject[];
  env: Record<string, Record<string, string>>;
}

export async function loadKubernetes(files: string[]): Promise<K8sSet> {
  const result = await runValidator('k8s-check', ['-print', ...files]);
  if (result.exitCode !== 0) throw new Error(`k8s-check failed:\n${result.all}`);
  return JSON.parse(result.stdout) as K8sSet;
}

/** Kubernetes as the pods see it: a Service's name and port lead to the same-named Deployment's container port. */
export function kubernetesDeployment(set: K8sSet): Deployment {
  const deployments = new Map(set.objects.filter((o) => o.kind === 'Deployment').map((o) => [o.name, o]));
  const hosts: Record<string, Deployed> = {};
  for (const service of set.objects.filter((o) => o.kind === 'Service')) {
    const containerPorts = deployments.get(service.name)?.object.spec?.template?.spec.containers.flatMap((c) => c.ports ?? []) ?? [];
    const ports = new Map<number, number>();
    for (const { port, targetPort } of service.object.spec?.ports ?? []) {
      const target = typeof targetPort === 'string' ? containerPorts.find((p) => p.name === targetPort)?.containerPort : (targetPort ?? port);
      if (target !== undefined) ports.set(port, target);
    }
    hosts[service.name] = { env: set.env[service.name] ?? {}, containerPortFor: (port) => ports.get(port) };
  }
  return { label: 'project/k8s', hosts };
}
