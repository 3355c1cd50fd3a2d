// Inlines each HTML template's <style> into the style attributes of its elements, with juice,
// ahead of time, into templates/inlined/: what mail clients need (many drop a <style> block).
// The service reads the inlined copies, so it never loads juice (with cheerio and a CSS parser:
// ~10 MB of the running service's memory, for work done once). Edit templates/*.html.hbs, then:
//   npm run inline-css -w mail-service
// A test fails while a copy in templates/inlined/ is not what this writes.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import juice from 'juice';
import { INLINED_DIR, TEMPLATES_DIR } from '../src/templates.js';

/** The templates with an HTML layout: `<name>.html.hbs` in templates/. */
export const HTML_TEMPLATES = ['mail', 'welcome'] as const;

/**
 * The inlined copy of a template's source: a Handlebars comment naming its source (it renders
 * as nothing, and `~` drops the line break after it), then the layout with its CSS inlined.
 */
export function inlinedTemplate(name: string, source: string): string {
  const notice = `{{!-- Written by "npm run inline-css -w mail-service" from ../${name}.html.hbs, its CSS inlined: edit that file, not this one. --~}}`;
  return `${notice}\n${juice(source)}`;
}

/** What templates/inlined/<name>.html.hbs should hold, from templates/<name>.html.hbs as it is now. */
export async function expectedInlined(name: string): Promise<string> {
  return inlinedTemplate(name, await readFile(new URL(`${name}.html.hbs`, TEMPLATES_DIR), 'utf8'));
}

async function writeAll(): Promise<void> {
  await mkdir(INLINED_DIR, { recursive: true });
  for (const name of HTML_TEMPLATES) {
    const target = new URL(`${name}.html.hbs`, INLINED_DIR);
    await writeFile(target, await expectedInlined(name));
    console.log(`wrote ${fileURLToPath(target)}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await writeAll();
