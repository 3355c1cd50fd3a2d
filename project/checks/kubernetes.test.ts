import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_FILES, type K8sSet, loadCompose, loadKubernetes, SERVICES } from './deployments.js';
import { kubernetesFiles } from './kubernetes-files.js';
import { REPO_ROOT, runValidator } from './validators.js';

const fixture = (name: string) => join(REPO_ROOT, 'project/checks/fixtures', name);
const INFRASTRUCTURE = ['postgres', 'mongo', 'rabbitmq', 'mailhog'];

interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: { httpGet?: { path?: string } };
  livenessProbe?: { httpGet?: { path?: string } };
  env?: { name: string; value?: string }[];
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
  it('when project/k8s and project/ingress.yml are decoded, every object is valid and they refer to each other correctly', async () => {
    const result = await runValidator('k8s-check', kubernetesFiles());
    expect(result.output).toContain('PASS');
    expect(result.code).toBe(0);
  });

  it('when a field is misspelled, strict decoding names it', async () => {
    const result = await runValidator('k8s-check', [fixture('misspelled-k8s.yml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown field "spec.template.spec.containers[0].imagePullPolicyy"');
  });

  it('when a Service selects no pods and an Ingress sends to a missing Service, both are named', async () => {
    const result = await runValidator('k8s-check', [fixture('dangling-k8s.yml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Service/broker-service: its selector matches no Deployment's pods");
    expect(result.stderr).toContain('Ingress/go-micro: host front-end.info sends / to Service front-end, which is not defined');
  });
});

describe('what the cluster runs', () => {
  let set: K8sSet;
  const deployment = (name: string) => set.objects.find((o) => o.kind === 'Deployment' && o.name === name)?.object as unknown as DeploymentObject | undefined;
  beforeAll(async () => {
    set = await loadKubernetes(kubernetesFiles());
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
    // Not in the repository: a Secret object in project/k8s would be a password everyone knows.
    expect(set.objects.some((o) => o.kind === 'Secret' && o.name === 'go-micro-admin')).toBe(false);
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
