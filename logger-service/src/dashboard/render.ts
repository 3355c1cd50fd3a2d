import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

export type RenderPage = (page: string, data: Record<string, unknown>) => string;

/**
 * Renders the dashboard's pages as the front end renders its page: one
 * layout, partials, and a page each, compiled once at start-up. Every value
 * is HTML-escaped unless a template says otherwise, which none does.
 */
export function createRenderer(templatesDir: string): RenderPage {
  const hbs = Handlebars.create();
  const files = readdirSync(templatesDir);
  const read = (file: string) => readFileSync(join(templatesDir, file), 'utf8');
  for (const file of files.filter((f) => f.endsWith('.partial.hbs'))) hbs.registerPartial(file.replace('.partial.hbs', ''), read(file));
  hbs.registerHelper('date', (value: unknown) => (value instanceof Date ? value.toISOString().replace('T', ' ').replace('Z', ' UTC') : ''));
  hbs.registerHelper('truncate', (value: unknown, length: number) => {
    const text = String(value ?? '');
    return text.length > length ? `${text.slice(0, length)}…` : text;
  });
  const layout = hbs.compile(read('base.layout.hbs'), { strict: true });
  const pages = new Map(
    files.filter((f) => f.endsWith('.page.hbs')).map((f) => [f.replace('.page.hbs', ''), hbs.compile(read(f), { strict: true })]),
  );
  return (page, data) => {
    const template = pages.get(page);
    if (!template) throw new Error(`no template for page "${page}"`);
    return layout({ title: 'Logs', ...data, body: template(data) });
  };
}
