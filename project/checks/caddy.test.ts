import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployerEnv, PRODUCTION_ENV, PROJECT } from './deployments.js';
import { REPO_ROOT, run } from './validators.js';

const CADDY = process.env.CADDY ?? 'caddy';
const validate = (file: string, env = deployerEnv()) => run(CADDY, ['validate', '--config', file, '--adapter', 'caddyfile'], { env });

describe('Caddyfiles (caddy validate)', () => {
  it('when the local Caddyfile is validated with its defaults, Caddy accepts it', async () => {
    const result = await validate(join(PROJECT, 'Caddyfile'));
    expect(result.all).toContain('Valid configuration');
    expect(result.exitCode).toBe(0);
  });

  it("when Caddyfile.production is validated with a deployer's domains, Caddy accepts it", async () => {
    const result = await validate(join(PROJECT, 'Caddyfile.production'), deployerEnv(PRODUCTION_ENV));
    expect(result.all).toContain('Valid configuration');
    expect(result.exitCode).toBe(0);
  });

  it('when Caddyfile.production is validated without its variables, Caddy refuses it', async () => {
    const result = await validate(join(PROJECT, 'Caddyfile.production'));
    expect(result.exitCode).toBe(1);
  });

  it('when a directive is misspelled, Caddy names it', async () => {
    const result = await validate(join(REPO_ROOT, 'project/checks/fixtures/bad.Caddyfile'));
    expect(result.exitCode).toBe(1);
    expect(result.all).toContain('unrecognized directive: reverse_proxi');
  });

  it('when formatted by caddy fmt, both Caddyfiles stay as they are', async () => {
    for (const file of ['Caddyfile', 'Caddyfile.production']) {
      const formatted = await run(CADDY, ['fmt', join(PROJECT, file)]);
      expect(formatted.exitCode).toBe(0);
      expect(formatted.stdout.trimEnd(), file).toBe(readFileSync(join(PROJECT, file), 'utf8').trimEnd());
    }
  });
});
