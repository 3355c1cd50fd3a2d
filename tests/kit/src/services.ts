import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The repository root, whatever the test's working directory. */
export const repoRoot = resolve(import.meta.dirname, '../../..');

export type ServiceName = 'broker' | 'authentication' | 'logger' | 'listener' | 'mail' | 'front-end';

/** One service as services.json lists it, the list `make dev`, the tests, the checks and the images read. */
export interface Service {
  name: ServiceName;
  /** Its workspace folder, and its image's name. */
  folder: string;
  /** Its host name in compose, swarm and Kubernetes. */
  host: string;
  /** Where it listens natively (`make dev`), and where the others' default addresses look for it. */
  port: number;
  /** What its image's health check asks. */
  health: string;
}

export const SERVICES: readonly Service[] = JSON.parse(readFileSync(resolve(repoRoot, 'services.json'), 'utf8')) as Service[];
export const SERVICE_NAMES: readonly ServiceName[] = SERVICES.map((service) => service.name);

export function serviceNamed(name: ServiceName): Service {
  const service = SERVICES.find((s) => s.name === name);
  if (service === undefined) throw new Error(`services.json lists no service named ${name}`);
  return service;
}
