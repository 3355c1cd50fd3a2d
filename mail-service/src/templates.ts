import { readFile } from 'node:fs/promises';
import Handlebars from 'handlebars';

/** What the templates show: the message and who sent it. */
export interface MailContent {
  subject: string;
  message: string;
  fromName: string;
}

export interface RenderedMail {
  html: string;
  text: string;
}

export type RenderMail = (content: MailContent) => RenderedMail;

export const TEMPLATES_DIR = new URL('../templates/', import.meta.url);
/** Where scripts/inline-css.ts writes each HTML layout with its CSS inlined, and where the service reads it. */
export const INLINED_DIR = new URL('inlined/', TEMPLATES_DIR);

/**
 * Reads and compiles the two templates once, at start-up: an HTML layout
 * (mail.html.hbs, read from its copy in inlined/ with the CSS inlined) and its
 * plain-text alternative (mail.plain.hbs).
 */
export async function loadTemplates(): Promise<RenderMail> {
  return loadTemplatePair<MailContent>('mail');
}

/** What the welcome mail shows: the new user's names and address. */
export interface WelcomeContent {
  firstName: string;
  lastName: string;
  email: string;
  fromName: string;
}

/** The welcome mail of a sign-up: welcome.html.hbs and welcome.plain.hbs. */
export function loadWelcomeTemplates(): Promise<(content: WelcomeContent) => RenderedMail> {
  return loadTemplatePair<WelcomeContent>('welcome');
}

/**
 * `inlined/<name>.html.hbs` and `<name>.plain.hbs`, compiled together. The
 * HTML is the copy scripts/inline-css.ts wrote with the layout's CSS inlined
 * (mail clients drop a <style> block): done ahead of time rather than here, so
 * the service never loads the inliner.
 */
async function loadTemplatePair<T extends object>(name: string): Promise<(content: T) => RenderedMail> {
  const [htmlSource, plainSource] = await Promise.all([
    readFile(new URL(`${name}.html.hbs`, INLINED_DIR), 'utf8'),
    readFile(new URL(`${name}.plain.hbs`, TEMPLATES_DIR), 'utf8'),
  ]);
  return compileTemplates<T>(htmlSource, plainSource);
}

export function compileTemplates<T extends object = MailContent>(htmlSource: string, plainSource: string): (content: T) => RenderedMail {
  const handlebars = Handlebars.create();
  // Escapes the text first, then keeps its line breaks as <br>, so a message is never read as markup.
  handlebars.registerHelper('lines', (text: unknown) => {
    const escaped = handlebars.Utils.escapeExpression(String(text ?? ''));
    return new handlebars.SafeString(escaped.replace(/\r\n|\r|\n/g, '<br>\n'));
  });

  const html = handlebars.compile(htmlSource, { strict: true });
  // Plain text is not HTML: nothing in it is escaped.
  const text = handlebars.compile(plainSource, { strict: true, noEscape: true });

  return (content) => ({ html: html(content), text: text(content) });
}
