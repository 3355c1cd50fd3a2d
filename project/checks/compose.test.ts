import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_FILES, type ComposeProject, deployerEnv, loadCompose, PRODUCTION_ENV, SERVICES } from './deployments.js';
import { REPO_ROOT, runValidator } from './validators.js';

const fixture = (name: string) => join(REPO_ROOT, 'project/checks/fixtures', name);
const INFRASTRUCTURE = ['postgres', 'mongo', 'rabbitmq', 'mailhog'];

describe('Compose Specification (compose-go)', () => {
  it('when docker-compose.yml is loaded, it is valid', async () => {
    const result = await runValidator('compose-check', [COMPOSE_FILES.compose], deployerEnv());
    expect(result.all).toContain('PASS');
    expect(result.exitCode).toBe(0);
  });

  it('when swarm.yml and swarm.production.yml are loaded, they are valid and follow the swarm rules', async () => {
    for (const file of [COMPOSE_FILES.swarm, COMPOSE_FILES.production]) {
      const result = await runValidator('compose-check', ['-swarm', file], deployerEnv(PRODUCTION_ENV));
      expect(result.all, file).toContain('PASS');
      expect(result.exitCode, result.all).toBe(0);
    }
  });

  it('when swarm.production.yml is deployed without its variables, fails naming each one', async () => {
    const result = await runValidator('compose-check', ['-swarm', COMPOSE_FILES.production], deployerEnv());
    expect(result.exitCode).toBe(1);
    for (const variable of Object.keys(PRODUCTION_ENV)) expect(result.stderr).toContain(`required variable ${variable} is missing`);
  });

  it('when a key is misspelled, the schema rejects it', async () => {
    const result = await runValidator('compose-check', [fixture('misspelled-compose.yml')], deployerEnv());
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('services.broker-service.enviroment: not a key Compose knows here (misspelled?)');
  });

  it('when a swarm file builds, restarts, waits on health or binds a local path, each is named', async () => {
    const result = await runValidator('compose-check', ['-swarm', fixture('swarm-breaking-rules.yml')], deployerEnv());
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('services.broker-service: swarm needs an image');
    expect(result.stderr).toContain('services.broker-service.build: not supported by docker stack deploy');
    expect(result.stderr).toContain('services.broker-service.restart: not supported by docker stack deploy');
    expect(result.stderr).toContain('services.broker-service.depends_on: must be a list');
    expect(result.stderr).toContain('"./db-data/rabbitmq:/var/lib/rabbitmq" is a path on one machine');
  });
});

describe('docker-compose.yml (make up)', () => {
  let project: ComposeProject;
  beforeAll(async () => {
    project = await loadCompose(COMPOSE_FILES.compose);
  });

  it('when loaded, builds every service from the one Dockerfile, SERVICE naming its folder, with the repository root as context', () => {
    for (const [name, folder] of Object.entries(SERVICES)) {
      expect(project.services[name]?.build, name).toEqual({ context: REPO_ROOT.replace(/\/$/, ''), dockerfile: 'Dockerfile', args: { SERVICE: folder } });
    }
  });

  it('when loaded, publishes only what a user opens, on 127.0.0.1 only, and nothing of the other services', () => {
    const published = (name: string) => (project.services[name]?.ports ?? []).map((p) => `${p.host_ip}:${p.published}:${p.target}`);
    expect(published('broker-service')).toEqual(['127.0.0.1:8080:80']);
    expect(published('front-end')).toEqual(['127.0.0.1:8081:80']);
    // The logger's admin dashboard.
    expect(published('logger-service')).toEqual(['127.0.0.1:8082:80']);
    // SMTP, AMQP and the databases stay inside unless docker-compose.clients.yml publishes them.
    expect(published('mailhog')).toEqual(['127.0.0.1:8025:8025']);
    expect(published('rabbitmq')).toEqual(['127.0.0.1:15672:15672']);
    for (const name of ['authentication-service', 'listener-service', 'mailer-service', 'postgres', 'mongo']) expect(published(name), name).toEqual([]);
  });

  it('when loaded, every service restarts when it exits and is healthy only once /ready answers', () => {
    for (const name of Object.keys(SERVICES)) {
      expect(project.services[name]?.restart, name).toBe('unless-stopped');
      expect(project.services[name]?.healthcheck?.test?.join(' '), name).toContain("'/ready'");
    }
  });

  it('when loaded, every piece of infrastructure has a health check and services wait until it is healthy', () => {
    for (const name of INFRASTRUCTURE) expect(project.services[name]?.healthcheck?.test?.length, name).toBeGreaterThan(1);
    for (const [name, service] of Object.entries(project.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        if (INFRASTRUCTURE.includes(dependency)) expect(condition, `${name} -> ${dependency}`).toBe('service_healthy');
      }
    }
  });

  it('when loaded, keeps the databases and the queue in named volumes', () => {
    for (const name of ['postgres', 'mongo', 'rabbitmq']) {
      expect(project.services[name]?.volumes?.map((v) => v.type), name).toEqual(['volume']);
    }
  });
});

describe('swarm files (docker stack deploy)', () => {
  let files: ComposeProject[];
  beforeAll(async () => {
    files = [await loadCompose(COMPOSE_FILES.swarm), await loadCompose(COMPOSE_FILES.production)];
  });

  it('when loaded, restart every service that exits, whatever its code', () => {
    for (const file of files) {
      for (const name of Object.keys(SERVICES)) expect(file.services[name]?.deploy?.restart_policy?.condition, name).toBe('any');
    }
  });

  it('when swarm.production.yml is loaded, every service runs in production and the admin password comes from a Docker secret', () => {
    const production = files[1]!;
    for (const name of Object.keys(SERVICES)) expect(production.services[name]?.environment?.DEPLOY_ENV, name).toBe('production');
    const auth = production.services['authentication-service']!;
    expect(auth.secrets?.map((s) => s.source)).toEqual(['admin_password']);
    expect(auth.environment?.ADMIN_PASSWORD_FILE).toBe('/run/secrets/admin_password');
    expect(auth.environment?.ADMIN_PASSWORD).toBeUndefined();
    expect(production.services.mailhog?.ports ?? []).toEqual([]);
  });

  it('when loaded, run the listener as two replicas', () => {
    for (const file of files) expect(file.services['listener-service']?.deploy).toMatchObject({ mode: 'replicated', replicas: 2 });
  });

  it('when loaded, give Caddy its external volumes and publish 80 and 443', () => {
    for (const file of files) {
      expect(file.volumes?.caddy_data?.external).toBe(true);
      expect(file.volumes?.caddy_config?.external).toBe(true);
      expect(file.services.caddy?.ports?.map((p) => p.target)).toEqual([80, 443]);
    }
  });

  it('when loaded, run the images make up builds, and the same pinned infrastructure images', async () => {
    const compose = await loadCompose(COMPOSE_FILES.compose);
    for (const file of files) {
      for (const [name, service] of Object.entries(compose.services)) {
        expect(file.services[name]?.image, name).toBe(service.image);
      }
    }
    // Pinned to a release (postgres numbers its releases major.minor), never a moving tag.
    for (const name of INFRASTRUCTURE) expect(compose.services[name]?.image, name).toMatch(/:v?\d+\.\d+[.\w-]*$/);
  });
});
