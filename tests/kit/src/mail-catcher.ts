import { connect } from 'node:net';
import { MailpitClient } from 'mailpit-api';
import { freePorts } from './free-port.js';
import { mailCatcherClient, type MailCatcherClient } from './mail-catcher-client.js';
import { spawnManaged } from './managed-process.js';
import { toolBinary } from './tool-binary.js';

export interface MailCatcherOptions {
  /** SMTP port on 127.0.0.1; a free one by default. */
  smtpPort?: number;
  /** Port of the HTTP API and web UI on 127.0.0.1; a free one by default. */
  httpPort?: number;
  /** How long to wait for it to answer, once built. */
  startTimeoutMs?: number;
}

/** A mail catcher a test did not start, shared with others: it may read and send, never empty it. */
export interface SharedMailCatcher extends MailCatcherClient {
  smtpHost: string;
  smtpPort: number;
  /** Its process, where this run started it (the benchmark reads its CPU); undefined for one started elsewhere. */
  pid?: number | undefined;
}

/** A running Mailpit with its own empty mailbox, and a client of its API. */
export interface MailCatcher extends SharedMailCatcher {
  httpPort: number;
  /** Deletes every caught message: only for a catcher of the test's own. */
  deleteAll(): Promise<void>;
  /** Stops the server and deletes its mailbox. */
  stop(): Promise<void>;
}

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const { startTimeoutMs = 30_000 } = options;
  const [smtpPort, httpPort] = await pickPorts(options);
  const host = '127.0.0.1';
  const binary = await toolBinary('mailpit');
  // Without --database, Mailpit keeps mail in a temporary file that it deletes when it stops.
  const server = spawnManaged('mailpit', binary, [
    '--smtp', `${host}:${smtpPort}`,
    '--listen', `${host}:${httpPort}`,
    '--disable-version-check', // it would ask the internet
    '--smtp-disable-rdns',
    // Every message kept: by default Mailpit prunes to its newest 500 once a minute, which stalled
    // every delivery for ~300 ms (the tail of the bench's mail rows) and could drop a test's mail.
    '--max', '0',
    // Like MailHog in the course: any SMTP login is accepted, even without TLS.
    '--smtp-auth-accept-any',
    '--smtp-auth-allow-insecure',
  ]);
  const stop = async () => {
    await server.stop();
  };

  const apiUrl = `http://${host}:${httpPort}`;
  try {
    await server.waitUntil(
      `answer on ${apiUrl} and SMTP ${host}:${smtpPort}`,
      async () => (await answers(`${apiUrl}/readyz`)) && (await acceptsTcp(host, smtpPort)),
      startTimeoutMs,
    );
    // A port the caller chose may be taken by another server: Mailpit then exits.
    server.assertRunning();
  } catch (error) {
    await stop();
    throw error;
  }
  // Without IDs, Mailpit deletes every message.
  const deleteAll = async () => {
    await new MailpitClient(apiUrl).deleteMessages();
  };
  return { ...mailCatcherClient(apiUrl), smtpHost: host, smtpPort, httpPort, pid: server.pid, deleteAll, stop };
}

async function pickPorts({ smtpPort, httpPort }: MailCatcherOptions): Promise<[number, number]> {
  const free = await freePorts(2);
  return [smtpPort ?? free[0]!, httpPort ?? free[1]!];
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

function acceptsTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1_000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}
