import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT } from './deployments.js';
import { run } from './validators.js';

// Debian's promtool (the prometheus package, installed by make setup): what Prometheus itself would say.
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const PROMETHEUS = join(PROJECT, 'prometheus');

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

describe('Prometheus and Grafana files (promtool)', () => {
  it('when the compose, swarm and make dev configurations are checked, Prometheus accepts them and their rules', async () => {
    for (const file of ['prometheus.yml', 'prometheus.swarm.yml', 'prometheus.dev.yml']) {
      const result = await run(PROMTOOL, ['check', 'config', join(PROMETHEUS, file)]);
      expect(result.exitCode, `${file}: ${result.all}`).toBe(0);
      expect(result.all).toContain('SUCCESS: 13 rules found');
    }
  });

  it("when the rules' unit tests run, every alert fires when it should and not otherwise", async () => {
    const result = await run(PROMTOOL, ['test', 'rules', 'rules.test.yml'], { cwd: PROMETHEUS });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('SUCCESS');
  });

  it("when every panel's query of the Grafana dashboard is given to promtool, each parses", async () => {
    // Grafana cannot run here (no image can be pulled or built): its dashboard is checked offline, query by query.
    const dashboard = JSON.parse(readFileSync(join(PROJECT, 'grafana/dashboards/go-micro.json'), 'utf8')) as { uid: string; panels: Panel[] };
    expect(dashboard.uid).toBe('go-micro');
    const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    const rules = {
      groups: [{ name: 'dashboard', rules: exprs.map(({ expr }, i) => ({ record: `dashboard:panel_${i}`, expr })) }],
    };
    const file = join(mkdtempSync(join(tmpdir(), 'dashboard-')), 'rules.json');
    writeFileSync(file, JSON.stringify(rules));
    const result = await run(PROMTOOL, ['check', 'rules', file]);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  it('when a query is broken, promtool says so (the check above can fail)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'broken-')), 'rules.json');
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'x', rules: [{ record: 'x:y', expr: 'sum by (service (up)' }] }] }));
    const result = await run(PROMTOOL, ['check', 'rules', file]);
    expect(result.exitCode).not.toBe(0);
  });
});
