import { join } from 'node:path';
import { SERVICES, type ServiceName } from './deployments.js';
import { REPO_ROOT, runValidator } from './validators.js';

/** One instruction, as dockerfile-check -json describes it (BuildKit's parse). */
export interface DockerCommand {
  kind: string;
  source: string;
  from?: string;
  sources?: string[];
  dest?: string;
  args?: string[];
  shell?: boolean;
  env?: Record<string, string>;
  path?: string;
}
export interface DockerStage {
  name: string;
  base: string;
  commands: DockerCommand[];
}

export const dockerfileOf = (service: ServiceName) => join(REPO_ROOT, SERVICES[service], 'Dockerfile');

/** Parses Dockerfiles with BuildKit's parser; fails if any breaks the service-image rules. */
export async function parseDockerfiles(files: string[]): Promise<Record<string, DockerStage[]>> {
  const result = await runValidator('dockerfile-check', ['-service', '-json', ...files]);
  if (result.code !== 0) throw new Error(`dockerfile-check failed:\n${result.output}`);
  return JSON.parse(result.stdout) as Record<string, DockerStage[]>;
}

/** The ENV a container of this image starts with (its final stage's ENV instructions). */
export function imageEnv(stages: DockerStage[]): Record<string, string> {
  const final = stages.at(-1)!;
  return Object.assign({}, ...final.commands.filter((c) => c.kind === 'ENV').map((c) => c.env));
}
