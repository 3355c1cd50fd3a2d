import { mkdtemp, readFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT } from './deployments.js';
import { REPO_ROOT, run, type RunResult } from './validators.js';

/** Every Kubernetes manifest of the project: project/k8s/*.yml and project/ingress.yml. */
export function kubernetesFiles(): string[] {
  const dir = join(PROJECT, 'k8s');
  const manifests = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
  return [...manifests, join(PROJECT, 'ingress.yml')];
}

/** What one run of project/k8s/create-secrets.sh did, against project/checks/fake-kubectl.sh instead of a cluster. */
export interface DeployerSecrets {
  /** The Secrets it applied, as one manifest file (kubectl's own output shape). */
  file: string;
  /** Their values, decoded: secret name, then key. */
  values: Record<string, Record<string, string>>;
  /** What it printed. */
  result: RunResult;
  /** Every kubectl command line it ran. */
  calls: string[];
}

/** Runs project/k8s/create-secrets.sh as a deployer would, with `env` added, its kubectl faked. */
export async function runCreateSecrets(env: Record<string, string> = {}): Promise<DeployerSecrets> {
  const dir = await mkdtemp(join(tmpdir(), 'create-secrets-'));
  const file = join(dir, 'applied.yml');
  const callsFile = join(dir, 'calls.txt');
  const result = await run('bash', [join(PROJECT, 'k8s/create-secrets.sh')], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KUBECTL: join(REPO_ROOT, 'project/checks/fake-kubectl.sh'),
      FAKE_KUBECTL_APPLIED: file,
      FAKE_KUBECTL_CALLS: callsFile,
      ...env,
    },
  });
  if (result.exitCode !== 0) throw new Error(`create-secrets.sh failed:\n${result.all}`);
  const applied = await readFile(file, 'utf8');
  const values: DeployerSecrets['values'] = {};
  for (const manifest of applied.split(/^---$/m).filter((m) => m.trim())) {
    const name = /^ {2}name: (\S+)$/m.exec(manifest)![1]!;
    const data = manifest.slice(manifest.indexOf('\ndata:\n'));
    values[name] = Object.fromEntries([...data.matchAll(/^ {2}([\w.-]+): "([^"]*)"$/gm)].map(([, key, value]) => [key!, Buffer.from(value!, 'base64').toString('utf8')]));
  }
  return { file, values, result, calls: (await readFile(callsFile, 'utf8')).split('\n').filter(Boolean) };
}

let once: Promise<DeployerSecrets> | undefined;

/** The deployer's Secrets, made once per test file: the manifests decode and resolve only with them. */
export function deployerSecrets(): Promise<DeployerSecrets> {
  once ??= runCreateSecrets();
  return once;
}
