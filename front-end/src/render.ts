import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

/**
 * Renders pages as the course did with Go templates: one layout, header and
 * footer partials, and a page. Templates are compiled once, at start-up.
 */
export function createRenderer(templatesDir: string) {
  const hbs = Handlebars.create();
  const files = readdirSync(templatesDir);
  const read = (file: string) => readFileSync(join(templatesDir, file), 'utf8');

  for (const file of files.filter((f) => f.endsWith('.partial.hbs'))) {
    hbs.registerPartial(file.replace('.partial.hbs', ''), read(file));
  }
  const layout = hbs.compile(read('base.layout.hbs'), { strict: true });
  const pages = new Map(
    files.filter((f) => f.endsWith('.page.hbs')).map((f) => [f.replace('.page.hbs', ''), hbs.compile(read(f), { strict: true })]),
  );

  return (page: string, data: Record<string, unknown>): string => {
    const template = pages.get(page);
    if (!template) throw new Error(`no template for page "${page}"`);
    return layout({ ...data, body: template(data) });
  };
}
