import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIGURATION_DOC, renderTables, withTables } from '../../scripts/config-table.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Every markdown file of the repository, outside installed, built and hidden folders. */
function markdownFiles(dir = repoRoot): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || ['node_modules', 'dist', 'test-results'].includes(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** The text a reader sees as prose: code blocks and code spans hold examples, not links. */
const prose = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's anchors for a file's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const markdown = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  for (const [, heading = ''] of markdown.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
    let anchor = slug;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${slug}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** Each relative link of a markdown file that does not lead to a file, or to a heading, that exists. */
function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const [, target = ''] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [path = '', anchor] = target.split('#');
    const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    if (!existsSync(resolved)) broken.push(`${target} (no such file)`);
    else if (anchor && resolved.endsWith('.md') && statSync(resolved).isFile() && !anchorsOf(resolved).has(anchor)) broken.push(`${target} (no such heading)`);
  }
  return broken;
}

describe('the documentation', () => {
  it("when a service's config schema changes, docs/configuration.md must be regenerated to match", () => {
    const current = readFileSync(CONFIGURATION_DOC, 'utf8');
    expect(current, 'docs/configuration.md is out of date: run npx tsx scripts/config-table.ts --write').toBe(withTables(current, renderTables()));
  });

  it('every relative link in a markdown file leads to a file and heading that exist', () => {
    const broken = markdownFiles().flatMap((file) => brokenLinks(file).map((link) => `${relative(repoRoot, file)}: ${link}`));
    expect(broken).toEqual([]);
  });

  it('README.md stays a landing page: at most 250 lines, linking every topic in docs/', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme.split('\n').length - 1).toBeLessThanOrEqual(250);
    const topics = readdirSync(join(repoRoot, 'docs')).filter((name) => name.endsWith('.md'));
    expect(topics.filter((name) => !readme.includes(`](docs/${name}`))).toEqual([]);
  });

  it('tests/bench/README.md stays at most 80 lines: how to run the bench and read its results', () => {
    const benchReadme = readFileSync(join(repoRoot, 'tests/bench/README.md'), 'utf8');
    expect(benchReadme.split('\n').length - 1).toBeLessThanOrEqual(80);
  });
});
