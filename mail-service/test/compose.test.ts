import { describe, expect, it } from 'vitest';
import MailComposer from 'nodemailer/lib/mail-composer';
import { composeMail, type MailParts } from '../src/compose.js';
import { loadTemplates } from '../src/templates.js';

const parts = (text: string, html: string, subject = 'Test'): MailParts => ({
  from: { name: 'John Smith', address: 'me@example.com' },
  to: 'you@there.com',
  subject,
  text,
  html,
  messageId: '<fixed-id@mail.test>',
  baseBoundary: '0123456789abcdef',
});

/** What nodemailer's own build() makes of the same parts: the reference. */
async function builtByNodemailer(mail: MailParts): Promise<string> {
  return (await new MailComposer(mail).compile().build()).toString();
}

/**
 * A message with its Date header (the second it was built in) blanked and its
 * quoted-printable soft line breaks taken out: where a long line is wrapped
 * may differ (build() wraps chunk by chunk, qp.wrap the whole text at once),
 * the bytes of every header and part may not.
 */
const comparable = (message: string) => message.replace(/^Date: .*$/m, 'Date: -').replaceAll('=\r\n', '');
const longestLine = (message: string) => Math.max(...message.split(/\r?\n/).map((line) => line.length));

const long = 'word '.repeat(40);
const texts: Array<[string, string]> = [
  ['plain ASCII', 'Hello there'],
  ['lines and a dot at the start of one', 'first line\n.second line\r\nthird\rfourth'],
  ['a line longer than 76 characters', long],
  ['whitespace at the ends of lines and of the text', 'trailing \t\nspaces   \n   '],
  ['accents and emoji', 'Grüße aus Köln 🎉 — “quoted” ½'],
  ['mostly non-Latin script', '日本語のテキストです。'.repeat(30)],
  ['equals signs and tabs', 'a=b\tc==d\t'],
  ['64 KiB of mixed text', `${'Zürich = 10 °C. '.repeat(2_000)}\n${'x'.repeat(30_000)} `],
  ['an empty text', ''],
];

describe('composeMail', () => {
  it.each(texts)('writes what nodemailer\'s build() writes, lines of 76 characters at most, for %s', async (_, text) => {
    const mail = parts(text, `<p>${text}</p>`, `Subject: ${text.slice(0, 60)}`);

    const composed = composeMail(mail).raw.toString();

    expect(comparable(composed)).toBe(comparable(await builtByNodemailer(mail)));
    expect(longestLine(composed)).toBeLessThanOrEqual(78);
    expect(composeMail(mail).envelope).toEqual({ from: 'me@example.com', to: ['you@there.com'] });
  });

  it("writes what build() writes for the service's own templates", async () => {
    const render = await loadTemplates();
    const { html, text } = render({ subject: 'Hello', message: 'Line one\nLine <two> & ümlauts', fromName: 'John Smith' });
    const mail = parts(text, html);

    expect(comparable(composeMail(mail).raw.toString())).toBe(comparable(await builtByNodemailer(mail)));
  });
});
