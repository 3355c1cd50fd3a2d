import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_FILES, type K8sSet, loadCompose, loadKubernetes, SERVICES } from './deployments.js';
import { deployerSecrets, kubernetesFiles, runCreateSecrets } from './kubernetes-files.js';
import { unfitForProduction } from '../../toolkit/src/secrets.js';
import { REPO_ROOT, runValidator } from './validators.js';

const fixture = (name: string) => join(REPO_ROOT, 'project/checks/fixtures', name);
const INFRASTRUCTURE = ['postgres', 'mongo', 'rabbitmq', 'mailhog'];

interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: { httpGet?: { path?: string } };
  livenessProbe?: { httpGet?: { path?: string } };
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface DeploymentObject {
  spec: {
    replicas?: number;
    template: { spec: { securityContext?: { runAsNonRoot?: boolean }; containers: Container[]; volumes?: { name: string; emptyDir?: object; secret?: { secretName: string } }[] } };
  };
}

describe('Kubernetes manifests (strict decoding into k8s.io/api types)', () => {
  it("when project/k8s and project/ingress.yml are decoded with the deployer's Secrets, every object is valid and they refer to each other correctly", async () => {
    const result = await runValidator('k8s-check', [...kubernetesFiles(), (await deployerSecrets()).file]);
    expect(result.all).toContain('PASS');
    expect(result.exitCode).toBe(0);
  });

  it("when the deployer's Secrets are missing, names every key the manifests need from them", async () => {
    const result = await runValidator('k8s-check', kubernetesFiles());
    expect(result.exitCode).toBe(1);
    for (const key of ['dsn', 'rabbit-url', 'token-secret', 'session-secret', 'postgres-password', 'mongo-password', 'rabbitmq-password']) {
      expect(result.stderr).toContain(`refers to Secret go-micro-credentials key ${key}, which is not defined`);
    }
  });

  it('when a field is misspelled, strict decoding names it', async () => {
    const result = await runValidator('k8s-check', [fixture('misspelled-k8s.yml')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('unknown field "spec.template.spec.containers[0].imagePullPolicyy"');
  });

  it('when a Service selects no pods and an Ingress sends to a missing Service, both are named', async () => {
    const result = await runValidator('k8s-check', [fixture('dangling-k8s.yml')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("Service/broker-service: its selector matches no Deployment's pods");
    expect(result.stderr).toContain('Ingress/go-micro: host front-end.info sends / to Service front-end, which is not defined');
  });
});

describe('what the cluster runs', () => {
  let set: K8sSet;
  const deployment = (name: string) => set.objects.find((o) => o.kind === 'Deployment' && o.name === name)?.object as unknown as DeploymentObject | undefined;
  beforeAll(async () => {
    set = await loadKubernetes([...kubernetesFiles(), (await deployerSecrets()).file]);
  });

  it('when listed, every service and every piece of infrastructure has a Deployment and a Service', () => {
    for (const name of [...Object.keys(SERVICES), ...INFRASTRUCTURE]) {
      expect(deployment(name), `Deployment ${name}`).toBeDefined();
      expect(set.objects.some((o) => o.kind === 'Service' && o.name === name), `Service ${name}`).toBe(true);
    }
  });

  it('when scheduled, every container asks for and is limited in CPU and memory, and has readiness and liveness probes', () => {
    for (const o of set.objects.filter((o) => o.kind === 'Deployment')) {
      for (const c of (o.object as unknown as DeploymentObject).spec.template.spec.containers) {
        const at = `${o.name}/${c.name}`;
        expect(Object.keys(c.resources?.requests ?? {}).sort(), at).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources?.limits ?? {}).sort(), at).toEqual(['cpu', 'memory']);
        expect(c.readinessProbe, at).toBeDefined();
        expect(c.livenessProbe, at).toBeDefined();
      }
    }
  });

  it('when started, every service runs as non-root on a read-only root filesystem with a scratch /tmp', () => {
    for (const name of Object.keys(SERVICES)) {
      const pod = deployment(name)!.spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot, name).toBe(true);
      for (const c of pod.containers) {
        expect(c.securityContext, name).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
        expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir, `${name} /tmp`).toBeDefined();
      }
    }
  });

  it("when probed, a service takes traffic once /ready answers and is restarted only when /ping does not", () => {
    for (const name of Object.keys(SERVICES)) {
      const c = deployment(name)!.spec.template.spec.containers[0]!;
      expect([c.readinessProbe?.httpGet?.path, c.livenessProbe?.httpGet?.path], name).toEqual(['/ready', '/ping']);
    }
  });

  it("when deployed, every service runs in production, and the admin's password is read from a Secret the deployer creates", () => {
    for (const name of Object.keys(SERVICES)) {
      expect(deployment(name)!.spec.template.spec.containers[0]!.env?.find((e) => e.name === 'DEPLOY_ENV')?.value, name).toBe('production');
    }
    const auth = deployment('authentication-service')!.spec.template.spec;
    expect(auth.containers[0]!.env?.find((e) => e.name === 'ADMIN_PASSWORD_FILE')?.value).toBe('/run/secrets/admin/password');
    expect(auth.volumes?.find((v) => v.name === 'admin-password')).toMatchObject({ secret: { secretName: 'go-micro-admin' } });
  });

  it('when listed, project/k8s holds no Secret: a Secret in the repository would be a password everyone knows', async () => {
    const withSecrets = kubernetesFiles().filter((file) => /^kind:\s*Secret\s*$/m.test(readFileSync(file, 'utf8')));
    expect(withSecrets).toEqual([]);
  });

  it("when deployed, Postgres, MongoDB and RabbitMQ take their users and passwords from the deployer's Secret, and the services log in with the same", () => {
    const fromSecret = (name: string, variable: string) => deployment(name)!.spec.template.spec.containers[0]!.env?.find((e) => e.name === variable)?.valueFrom?.secretKeyRef?.name;
    for (const [name, variables] of Object.entries({
      postgres: ['POSTGRES_USER', 'POSTGRES_PASSWORD'],
      mongo: ['MONGO_INITDB_ROOT_USERNAME', 'MONGO_INITDB_ROOT_PASSWORD'],
      rabbitmq: ['RABBITMQ_DEFAULT_USER', 'RABBITMQ_DEFAULT_PASS'],
    })) {
      for (const variable of variables) expect(fromSecret(name, variable), `${name} ${variable}`).toBe('go-micro-credentials');
    }
    const { postgres, mongo, rabbitmq } = set.env as Record<string, Record<string, string>>;
    const auth = set.env['authentication-service']!;
    expect(auth.DSN).toContain(`user=${postgres!.POSTGRES_USER} password=${postgres!.POSTGRES_PASSWORD} `);
    expect(set.env['mailer-service']!.DSN).toBe(auth.DSN);
    for (const name of ['authentication-service', 'broker-service', 'listener-service', 'mailer-service']) {
      expect(set.env[name]!.RABBIT_URL, name).toBe(`amqp://${rabbitmq!.RABBITMQ_DEFAULT_USER}:${rabbitmq!.RABBITMQ_DEFAULT_PASS}@rabbitmq`);
    }
    expect([set.env['logger-service']!.MONGO_USERNAME, set.env['logger-service']!.MONGO_PASSWORD]).toEqual([mongo!.MONGO_INITDB_ROOT_USERNAME, mongo!.MONGO_INITDB_ROOT_PASSWORD]);
  });

  it('when deployed, the listener runs two replicas on its one durable queue', () => {
    expect(deployment('listener-service')?.spec.replicas).toBe(2);
  });

  it('when deployed, runs the same images as docker-compose.yml builds and pulls', async () => {
    const compose = await loadCompose(COMPOSE_FILES.compose);
    for (const [name, service] of Object.entries(compose.services)) {
      expect(deployment(name)?.spec.template.spec.containers[0]?.image, name).toBe(service.image);
    }
  });
});

/** Every value of the Secrets but the users' names, which are no secret. */
const secretValues = (values: Record<string, Record<string, string>>) =>
  Object.values(values).flatMap((keys) => Object.entries(keys).filter(([key, value]) => !/-user(name)?$/.test(key) && value !== '').map(([, value]) => value));

describe('project/k8s/create-secrets.sh', () => {
  it('when run, makes every credential random and fit for production, and prints none of them', async () => {
    const { values, result } = await deployerSecrets();

    const credentials = values['go-micro-credentials']!;
    for (const key of ['postgres-password', 'mongo-password', 'rabbitmq-password']) expect(unfitForProduction(credentials[key]!, 'password'), key).toBeUndefined();
    for (const key of ['token-secret', 'session-secret']) expect(unfitForProduction(credentials[key]!, 'key'), key).toBeUndefined();
    expect(unfitForProduction(values['go-micro-admin']!.password!, 'password')).toBeUndefined();
    expect(new Set([...Object.values(credentials), values['go-micro-admin']!.password]).size).toBeGreaterThanOrEqual(8);
    for (const value of secretValues(values)) expect(result.all).not.toContain(value);
    expect(result.all).toBe('create-secrets: created Secret go-micro-credentials\ncreate-secrets: created Secret go-micro-admin\n');
  });

  it("when run again, makes other values, and never puts one on kubectl's command line (which ps shows to every user)", async () => {
    const [first, second] = [await deployerSecrets(), await runCreateSecrets()];

    expect(second.values['go-micro-credentials']!['token-secret']).not.toBe(first.values['go-micro-credentials']!['token-secret']);
    for (const call of second.calls) for (const value of secretValues(second.values)) expect(call).not.toContain(value);
  });

  it("when given an admin password and a relay's login, uses them", async () => {
    const [admin, relay] = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
    const { values } = await runCreateSecrets({ ADMIN_PASSWORD: admin, MAIL_USERNAME: 'relay-user', MAIL_PASSWORD: relay });
    expect(values['go-micro-admin']).toEqual({ password: admin });
    expect(values['go-micro-credentials']).toMatchObject({ 'mail-username': 'relay-user', 'mail-password': relay });
  });
});
