import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { expectedInlined, HTML_TEMPLATES } from '../scripts/inline-css.js';
import { INLINED_DIR } from '../src/templates.js';

describe('the HTML templates the service reads (templates/inlined/)', () => {
  it.each(HTML_TEMPLATES)('%s.html.hbs is its template with the CSS inlined, as scripts/inline-css.ts writes it', async (name) => {
    const inlined = await readFile(new URL(`${name}.html.hbs`, INLINED_DIR), 'utf8');
    expect(inlined, `templates/inlined/${name}.html.hbs is stale: run npm run inline-css -w mail-service`).toBe(await expectedInlined(name));
    expect(inlined).not.toMatch(/<style/i);
  });
});
