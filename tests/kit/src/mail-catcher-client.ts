import { MailpitClient, type MailpitEmailAddressResponse } from 'mailpit-api';
import pRetry from 'p-retry';

export interface MailAddress {
  name: string;
  address: string;
}

/** A caught message as the list shows it. */
export interface MessageSummary {
  id: string;
  from: MailAddress;
  to: MailAddress[];
  subject: string;
  /** The first words of the text, as Mailpit shows them in its list. */
  snippet: string;
  /** When Mailpit received it (ISO 8601). */
  created: string;
}

/** A caught message with both of its bodies. */
export interface CaughtMessage {
  id: string;
  from: MailAddress;
  to: MailAddress[];
  subject: string;
  html: string;
  text: string;
}

export interface MailCatcherClient {
  apiUrl: string;
  /** Every caught message, newest first. */
  listMessages(): Promise<MessageSummary[]>;
  getMessage(id: string): Promise<CaughtMessage>;
  /** The oldest caught message that satisfies `predicate`, polling until one arrives or `timeoutMs` passes. */
  waitForMessage(predicate: (message: CaughtMessage) => boolean, timeoutMs?: number): Promise<CaughtMessage>;
}

const pageSize = 1_000; // more than Mailpit keeps by default (500)

/** A client of Mailpit's HTTP API at `apiUrl`, e.g. http://127.0.0.1:8025, through mailpit-api. */
export function mailCatcherClient(apiUrl: string): MailCatcherClient {
  const base = apiUrl.replace(/\/+$/, '');
  const mailpit = new MailpitClient(base);

  async function listMessages(): Promise<MessageSummary[]> {
    const { messages } = await mailpit.listMessages(0, pageSize);
    return messages.map((m) => ({ id: m.ID, from: address(m.From), to: addresses(m.To), subject: m.Subject, snippet: m.Snippet, created: m.Created }));
  }

  async function getMessage(id: string): Promise<CaughtMessage> {
    const m = await mailpit.getMessageSummary(id);
    return { id: m.ID, from: address(m.From), to: addresses(m.To), subject: m.Subject, html: m.HTML, text: m.Text };
  }

  async function waitForMessage(predicate: (message: CaughtMessage) => boolean, timeoutMs = 10_000) {
    const seen = new Map<string, CaughtMessage>(); // messages do not change once caught
    return pRetry(
      async () => {
        for (const { id } of (await listMessages()).reverse()) {
          let message = seen.get(id);
          if (message === undefined) seen.set(id, (message = await getMessage(id)));
          if (predicate(message)) return message;
        }
        throw new NotCaughtYet(`timed out after ${timeoutMs} ms waiting for a caught message that satisfies the predicate`);
      },
      // Only "not there yet" is worth another look; a failing API ends the wait with its error.
      { retries: Infinity, minTimeout: 100, factor: 1, maxRetryTime: timeoutMs, shouldRetry: ({ error }) => error instanceof NotCaughtYet },
    );
  }

  return { apiUrl: base, listMessages, getMessage, waitForMessage };
}

class NotCaughtYet extends Error {}

// Mailpit sends null for a message without a sender or recipients.
const address = (a: MailpitEmailAddressResponse | null): MailAddress => ({ name: a?.Name ?? '', address: a?.Address ?? '' });
const addresses = (list: MailpitEmailAddressResponse[] | null): MailAddress[] => (list ?? []).map(address);
