import MailComposer from 'nodemailer/lib/mail-composer';
import type MimeNode from 'nodemailer/lib/mime-node';
import * as base64 from 'nodemailer/lib/base64';
import * as qp from 'nodemailer/lib/qp';
import type { SMTPEnvelope } from 'nodemailer/lib/smtp-connection';

export interface ComposedMail {
  /** The whole message, headers and body, as it goes over SMTP. */
  raw: Buffer;
  envelope: SMTPEnvelope;
}

/** What one of this service's mails holds: a text and an HTML alternative. */
export interface MailParts {
  from: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** The MIME boundaries are made from it. */
  baseBoundary: string;
}

/**
 * nodemailer's MailComposer builds the message tree (headers encoded and
 * folded, addresses and the transfer encoding of each part chosen as it
 * always does); `writeMime` then writes the tree out in one synchronous pass.
 * MailComposer's own `build()` streams every part through an encoder and a
 * stream pipeline of its own (three pipelines, each an AbortController and,
 * on Node 20, a DOMException when it finishes): a tenth of the CPU a mail
 * cost the service.
 */
export function composeMail(parts: MailParts): ComposedMail {
  const root = new MailComposer(parts).compile();
  const message = writeMime(root);
  // As build(): a message ends with a line break.
  return { raw: Buffer.from(message.endsWith('\n') ? message : `${message}\r\n`), envelope: root.getEnvelope() };
}

/**
 * The bytes MimeNode's `build()` produces, for the trees this service
 * composes: multipart nodes, and parts whose content is a string (a test
 * compares the two on every kind of text). Each part's headers, then its
 * content encoded as its headers say, then its children between boundaries.
 */
export function writeMime(node: MimeNode): string {
  // Builds the headers first: they settle the transfer encoding, whether the node is multipart and its boundary.
  let out = `${node.buildHeaders()}\r\n\r\n`;
  if (typeof node.content === 'string') out += encodeContent(node.content, node.getTransferEncoding());
  else if (node.content !== undefined) throw new Error('writeMime: only text given as a string can be written');
  if (node.multipart) {
    node.childNodes.forEach((child, index) => {
      out += `${index ? '\r\n' : ''}--${node.boundary}\r\n${writeMime(child)}`;
    });
    out += `\r\n--${node.boundary}--\r\n`;
  }
  return out;
}

/** The content in its transfer encoding: quoted-printable and base64 wrapped at 76 characters as their encoders do, 7bit as it is. */
function encodeContent(content: string, transferEncoding: string | false): string {
  if (transferEncoding === 'quoted-printable') return qp.wrap(qp.encode(content), 76);
  if (transferEncoding === 'base64') return base64.wrap(base64.encode(content), 76);
  return content;
}
