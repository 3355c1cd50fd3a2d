import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from './deployments.js';
import { dockerfileOf, parseDockerfiles } from './dockerfiles.js';
import { REPO_ROOT, runValidator } from './validators.js';

const fixture = (name: string) => join(REPO_ROOT, 'scripts/check-deploy/fixtures', name);

describe('Dockerfiles (BuildKit parser and linter, and the rules of a service image)', () => {
  it('when every service Dockerfile is checked, each is multi-stage, pinned, non-root, exec-form and health-checked', async () => {
    const result = await runValidator('dockerfile-check', ['-service', ...SERVICE_NAMES.map(dockerfileOf)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it("when Caddy's Dockerfile is checked, its base is pinned and both Caddyfiles it may copy exist", async () => {
    const result = await runValidator('dockerfile-check', [join(REPO_ROOT, 'project/caddy.dockerfile')]);
    expect(result.output).toContain('PASS');
    for (const caddyfile of ['Caddyfile', 'Caddyfile.production']) expect(existsSync(join(REPO_ROOT, 'project', caddyfile))).toBe(true);
  });

  it('when a Dockerfile breaks the rules, every broken rule is named', async () => {
    const result = await runValidator('dockerfile-check', ['-service', fixture('bad.Dockerfile')]);
    expect(result.code).toBe(1);
    for (const message of [
      'JSON arguments recommended for CMD', // BuildKit's own linter
      'FROM node:latest: pin the base image',
      'a service image is multi-stage',
    ]) {
      expect(result.stderr).toContain(message);
    }
  });

  it('when a multi-stage Dockerfile runs as root with a shell-form CMD and no HEALTHCHECK, each is named', async () => {
    const result = await runValidator('dockerfile-check', ['-service', fixture('root-shell.Dockerfile')]);
    expect(result.code).toBe(1);
    for (const message of ['runs as root: add USER node', 'CMD npm start is shell form', 'no HEALTHCHECK', 'npm ci --omit=dev']) {
      expect(result.stderr).toContain(message);
    }
  });

  it('when built, every COPY from the context names files that .dockerignore lets through', async () => {
    const context = await runValidator('dockerfile-check', ['-context', REPO_ROOT]);
    const files: string[] = JSON.parse(context.stdout);
    const parsed = await parseDockerfiles(SERVICE_NAMES.map(dockerfileOf));
    for (const [dockerfile, stages] of Object.entries(parsed)) {
      for (const copy of stages.flatMap((s) => s.commands).filter((c) => c.kind === 'COPY' && !c.from)) {
        for (const source of copy.sources!) {
          const path = posix.normalize(source).replace(/\/$/, '');
          expect(files.some((f) => f === path || f.startsWith(`${path}/`)), `${dockerfile}: ${copy.source}`).toBe(true);
        }
      }
    }
    expect(files.some((f) => f.includes('node_modules/') || f.includes('/dist/') || f.startsWith('.git/'))).toBe(false);
  });

  it('when compared, all services run on one Node 24 LTS base, Debian glibc, for which bcrypt ships prebuilt binaries', async () => {
    const parsed = await parseDockerfiles(SERVICE_NAMES.map(dockerfileOf));
    const bases = new Set(Object.values(parsed).flatMap((stages) => stages.map((s) => s.base)));
    expect([...bases]).toHaveLength(1);
    expect([...bases][0]).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
    // authentication-service needs bcrypt; with these files no compiler is needed on amd64 or arm64.
    for (const arch of ['linux-x64', 'linux-arm64']) {
      expect(existsSync(join(REPO_ROOT, 'node_modules/bcrypt/prebuilds', arch, 'bcrypt.glibc.node')), arch).toBe(true);
    }
  });
});
