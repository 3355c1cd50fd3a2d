import { randomUUID } from 'node:crypto';
import { badGateway, defineCounter, gatewayTimeout, serviceUnavailable, SpanKind, withSpan, type HttpError, type Logger } from '@go-micro/toolkit';
import { composeMail } from './compose.js';
import { SmtpPool } from './smtp-pool.js';
import type { RenderMail } from './templates.js';

export interface SmtpSettings {
  host: string;
  port: number;
  encryption: 'none' | 'tls' | 'ssl';
  username: string;
  password: string;
  /** EHLO name and Message-ID domain. */
  domain: string;
  fromAddress: string;
  fromName: string;
  /** Bound on one send, connecting included. */
  timeoutMs: number;
  /** SMTP connections open at once at most (MAIL_MAX_CONNECTIONS). */
  maxConnections: number;
}

/** A mail as the page asks for it; an empty `from` means FROM_ADDRESS. */
export interface OutgoingMail {
  from?: string | undefined;
  to: string;
  subject: string;
  message: string;
}

export type SendMail = (mail: OutgoingMail) => Promise<void>;

/** A mail already rendered, from FROM_ADDRESS as FROM_NAME. */
export interface RenderedOutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** The local part of its Message-ID, when the caller needs a stable one (the welcome mail's event id). */
  messageIdLocalPart?: string;
}

export type DeliverMail = (mail: RenderedOutgoingMail) => Promise<void>;

const MAIL_SERVER = 'mail server';

/**
 * Renders a mail from the templates and sends it over one pool of SMTP
 * connections, opened when first needed and reused; a connection that fails is
 * dropped and the next send opens a new one, so the pool recovers by itself.
 */
export class Mailer {
  private readonly pool: SmtpPool;

  constructor(
    private readonly settings: SmtpSettings,
    private readonly render: RenderMail,
    private readonly logger: Logger,
  ) {
    const { host, port, encryption, username, password, domain, timeoutMs, maxConnections } = settings;
    this.pool = new SmtpPool({
      size: maxConnections,
      timeoutMs,
      connection: {
        host,
        port,
        secure: encryption === 'ssl',
        requireTLS: encryption === 'tls',
        ignoreTLS: encryption === 'none',
        name: domain,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      },
      auth: username ? { user: username, pass: password } : undefined,
      // A connection's failure between sends is logged; the next send opens a new one.
      onIdleError: (err) => this.logger.warn({ reason: err.message }, 'mail connection error'),
    });
  }

  readonly send: SendMail = async (mail) => {
    const { html, text } = this.render({ subject: mail.subject, message: mail.message, fromName: this.settings.fromName });
    await this.transmit({ from: mail.from, to: mail.to, subject: mail.subject, html, text });
  };

  readonly deliver: DeliverMail = (mail) => this.transmit(mail);

  private static readonly mails = defineCounter('mail_messages_total', 'Mails handed to the mail server, sent or failed.', ['outcome']);

  private transmit(mail: RenderedOutgoingMail & { from?: string | undefined }): Promise<void> {
    const attributes = { 'server.address': this.settings.host, 'server.port': this.settings.port };
    return withSpan('smtp send', { kind: SpanKind.CLIENT, attributes }, () => this.sendOne(mail));
  }

  /**
   * The message is composed into one buffer first (composeMail) and handed
   * to the pool as it is: streamed from the composer, it went to the socket in
   * a write per header and part. One random id serves the Message-ID and the
   * MIME boundary: otherwise nodemailer drew random numbers for each (5-6 µs
   * each on these machines).
   */
  private async sendOne(mail: RenderedOutgoingMail & { from?: string | undefined }): Promise<void> {
    const { domain, fromAddress, fromName } = this.settings;
    const id = randomUUID();
    const messageId = `<${mail.messageIdLocalPart ?? id}@${domain}>`;
    try {
      const { raw, envelope } = composeMail({
        from: { name: fromName, address: mail.from || fromAddress },
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId,
        baseBoundary: id.replaceAll('-', ''),
      });
      await this.pool.send(envelope, raw);
      this.logger.info({ messageId }, 'mail sent');
      Mailer.mails.inc({ outcome: 'sent' });
    } catch (err) {
      Mailer.mails.inc({ outcome: 'failed' });
      throw mailServerError(err);
    }
  }

  /** Resolves when the mail server accepts a connection and a greeting (the service's readiness); 503 or 504 naming it otherwise. */
  async verify(): Promise<void> {
    try {
      await this.pool.verify();
    } catch (err) {
      throw mailServerError(err);
    }
  }

  /** Closes idle connections; one in the middle of a delivery finishes it first. */
  close(): void {
    this.pool.close();
  }
}

/**
 * A failed send in the one mapping of dependency failures: too slow 504,
 * unreachable 503, a refusal 502 with the SMTP reply code only. The server's
 * own words and the driver's (which carry its address: "connect ECONNREFUSED
 * 127.0.0.1:1027") stay in the cause, for the log.
 */
export function mailServerError(err: unknown): HttpError {
  const { code, responseCode } = err as { code?: string; responseCode?: number };
  if (code === 'EABORT' || code === 'ETIMEDOUT') return gatewayTimeout(MAIL_SERVER, err);
  if (code === 'EAUTH') return badGateway(MAIL_SERVER, 'refused the login', err);
  if (typeof responseCode === 'number') return badGateway(MAIL_SERVER, `refused the message (${responseCode})`, err);
  if (code === 'ECONNECTION' || code === 'ESOCKET' || code === 'EDNS' || code === 'ETLS' || code === 'ECONNREFUSED') return serviceUnavailable(MAIL_SERVER, err);
  return badGateway(MAIL_SERVER, 'failed', err);
}
