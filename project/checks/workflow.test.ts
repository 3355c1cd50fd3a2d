import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICES } from './deployments.js';
import { REPO_ROOT, runValidator } from './validators.js';

const CI = join(REPO_ROOT, '.github/workflows/ci.yml');

describe('CI workflow (actionlint)', () => {
  it('when .github/workflows/ci.yml is linted, actionlint finds nothing', async () => {
    const result = await runValidator('actionlint', ['-no-color', CI]);
    expect(result.all).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('when a workflow uses an unknown runner and an undefined matrix key, actionlint names both', async () => {
    const result = await runValidator('actionlint', ['-no-color', join(REPO_ROOT, 'project/checks/fixtures/workflows/bad.yml')]);
    expect(result.exitCode).toBe(1);
    expect(result.all).toContain('label "ubuntu-lastest" is unknown');
    expect(result.all).toContain('property "nod" is not defined');
  });

  it('when read, runs make test on Node 20 and 24 and builds the image of every service', () => {
    const workflow = readFileSync(CI, 'utf8');
    expect(workflow).toContain('run: make test');
    expect(workflow).toContain('node: [20, 24]');
    for (const folder of new Set(Object.values(SERVICES))) expect(workflow, folder).toMatch(new RegExp(`service: \\[[^\\]]*\\b${folder}\\b`));
    expect(workflow).toContain('SERVICE=${{ matrix.service }}');
  });
});
