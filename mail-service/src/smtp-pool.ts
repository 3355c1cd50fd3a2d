import SMTPConnection, { type SMTPConnectionOptions, type SMTPEnvelope } from 'nodemailer/lib/smtp-connection';

export interface SmtpPoolOptions {
  /** Everything one connection is opened with: address, TLS, EHLO name, its connect, greeting and idle timeouts. */
  connection: SMTPConnectionOptions;
  /** Login, when the server offers it; none for a catcher. */
  auth?: { user: string; pass: string } | undefined;
  /** Connections open at once at most; sends beyond them wait their turn, in order. */
  size: number;
  /** Bound on one send, waiting for a connection and opening it included. */
  timeoutMs: number;
  /** A connection's failure outside any send (an idle one dropped by the server, say): for the log only. */
  onIdleError?: (err: Error) => void;
}

type Handout = (connection: SMTPConnection | Error) => void;

/**
 * Sends ready-made messages over a few SMTP connections kept open between
 * mails, with nodemailer's SMTPConnection doing the protocol. It stands in for
 * nodemailer's pooled transport, whose every send builds a mail object and
 * streams the message through two more stream pipelines (an AbortController
 * and a DOMException each on Node 20): a fifth of the mail service's CPU.
 *
 * A connection is opened when a send finds none idle and fewer than `size`
 * open; one that fails, times out or is closed by the server is dropped, and
 * the next send opens a new one, so the pool recovers from a restarted server
 * by itself. A send that fails is not retried here: its caller answers with
 * the error (the page's mail) or retries it later (the welcome mail's queue).
 * An idle connection closes itself after the connection's socket timeout,
 * well before any server's own idle limit, so the pool does not hand out
 * connections the server has already given up.
 */
export class SmtpPool {
  private readonly idle: SMTPConnection[] = [];
  private readonly waiting: Handout[] = [];
  /** Connections open or opening. */
  private open = 0;
  private closed = false;

  constructor(private readonly options: SmtpPoolOptions) {}

  /** Resolves once the server has accepted the message; rejects with nodemailer's error (its `code`, its `responseCode`) otherwise. */
  send(envelope: SMTPEnvelope, message: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      let held: SMTPConnection | undefined;
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        settle(codedError('ETIMEDOUT', `no answer from the mail server within ${this.options.timeoutMs} ms`));
        // Closing forgets the send in flight: its callback is not called.
        if (held) held.close();
        else this.cancel(handout);
      }, this.options.timeoutMs);

      const handout: Handout = (connection) => {
        if (connection instanceof Error) return settle(connection);
        if (settled) return this.release(connection);
        held = connection;
        connection.send(envelope, message, (err) => {
          if (err) {
            connection.close();
            return settle(err);
          }
          this.release(connection);
          settle();
        });
      };
      this.acquire(handout);
    });
  }

  /** Opens a connection of its own, greets and logs in, and quits: whether the server takes mail now (readiness). */
  async verify(): Promise<void> {
    const connection = await this.connect(false);
    connection.quit();
  }

  /** Quits the idle connections; one in the middle of a send quits after it. Sends still waiting fail. */
  close(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) connection.quit();
    for (const handout of this.waiting.splice(0)) handout(codedError('ECONNECTION', 'the mail pool is closed'));
  }

  private acquire(handout: Handout): void {
    if (this.closed) return handout(codedError('ECONNECTION', 'the mail pool is closed'));
    const connection = this.idle.pop();
    if (connection) return handout(connection);
    if (this.open >= this.options.size) {
      this.waiting.push(handout);
      return;
    }
    this.open += 1;
    this.connect(true).then(handout, handout);
  }

  private release(connection: SMTPConnection): void {
    // One the server closed meanwhile has had its 'end'.
    if (connection.destroyed) return;
    if (this.closed) {
      connection.quit();
      return;
    }
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }

  private cancel(handout: Handout): void {
    const at = this.waiting.indexOf(handout);
    if (at >= 0) this.waiting.splice(at, 1);
  }

  /** A connection that has greeted (and logged in); a pooled one's 'end' frees its place, whatever ended it. */
  private connect(pooled: boolean): Promise<SMTPConnection> {
    const { connection: settings, auth, onIdleError } = this.options;
    const connection = new SMTPConnection(settings);
    return new Promise((resolve, reject) => {
      let connecting = true;
      const failed = (err: Error) => {
        if (!connecting) return;
        connecting = false;
        connection.close();
        reject(err);
      };
      // Always listened to: an 'error' without a listener would end the process.
      // A send's error goes to its callback; an idle connection's own timeout is how it closes.
      connection.on('error', (err: Error & { code?: string }) => {
        if (connecting) failed(err);
        else if (this.idle.includes(connection) && err.code !== 'ETIMEDOUT') onIdleError?.(err);
      });
      connection.once('end', () => {
        failed(codedError('ECONNECTION', 'the mail server closed the connection'));
        if (!pooled) return;
        this.open -= 1;
        const at = this.idle.indexOf(connection);
        if (at >= 0) this.idle.splice(at, 1);
        // Its place can serve the first send still waiting.
        const next = this.waiting.shift();
        if (next) this.acquire(next);
      });
      connection.connect((err) => {
        if (err) return failed(err);
        if (!auth || !connection.allowsAuth) return opened();
        connection.login({ user: auth.user, pass: auth.pass }, (loginErr) => (loginErr ? failed(loginErr) : opened()));
      });
      const opened = () => {
        if (!connecting) return;
        connecting = false;
        resolve(connection);
      };
    });
  }
}

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
