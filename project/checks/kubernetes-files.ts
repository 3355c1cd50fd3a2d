import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT } from './deployments.js';

/** Every Kubernetes manifest of the project: project/k8s/*.yml and project/ingress.yml. */
export function kubernetesFiles(): string[] {
  const dir = join(PROJECT, 'k8s');
  const manifests = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
  return [...manifests, join(PROJECT, 'ingress.yml')];
}
