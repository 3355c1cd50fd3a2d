import type { Channel } from 'amqplib';
import { USER_EXCHANGE, USER_EXCHANGE_TYPE, USER_REGISTERED_KEY, userRegistered } from '@go-micro/contracts';
import { defineCounter, HttpError, type Logger } from '@go-micro/toolkit';
import { declareRetryQueues, type Outcome, type QueueNames } from '@go-micro/toolkit/queue';
import type { DeliverMail } from './mailer.js';
import type { WelcomeContent } from './templates.js';
import type { RenderedMail } from './templates.js';
import type { WelcomeStore } from './welcome-store.js';

/** The welcome mail's subject, the same for everyone: nothing a caller typed reads as the sender's words. */
export const WELCOME_SUBJECT = 'Welcome! Your account is ready';

/** The welcome queue bound to user.registered on users_topic, with its retry and dead-letter queues. */
export async function declareWelcomeTopology(channel: Channel, names: QueueNames): Promise<void> {
  await channel.assertExchange(USER_EXCHANGE, USER_EXCHANGE_TYPE, { durable: true });
  await channel.assertQueue(names.work, { durable: true });
  await channel.bindQueue(names.work, USER_EXCHANGE, USER_REGISTERED_KEY);
  await declareRetryQueues(channel, names);
}

/** Welcome mails the mail server took, one per sign-up (a redelivered event's is not counted again). */
const welcomeMailsSent = defineCounter('welcome_mails_sent_total', 'Welcome mails handed to the mail server, one per sign-up.', []);

export interface WelcomeDeps {
  store: WelcomeStore;
  render: (content: WelcomeContent) => RenderedMail;
  deliver: DeliverMail;
  fromName: string;
  logger: Logger;
}

/**
 * One user.registered message, start to end: not an event goes to the
 * dead-letter queue; an event gets its welcome mail, once per event id. Its
 * Message-ID is made from the event id, so even a mail sent twice (a crash
 * after the SMTP server took it and before it was recorded) is one message to
 * the mail client. A mail server that is down or refuses is tried again later.
 */
export async function welcome(content: Buffer, deps: WelcomeDeps): Promise<Outcome> {
  let event;
  try {
    event = userRegistered.parse(JSON.parse(content.toString('utf8')));
  } catch (err) {
    const reason = err instanceof SyntaxError ? 'body is not valid JSON' : 'body is not a user.registered event';
    return { kind: 'dead', reason };
  }
  const { store, render, deliver, fromName, logger } = deps;
  const { html, text } = render({ firstName: event.first_name, lastName: event.last_name, email: event.email, fromName });
  try {
    const sent = await store.sendOnce(event.event_id, event.email, () =>
      deliver({ to: event.email, subject: WELCOME_SUBJECT, html, text, messageIdLocalPart: `welcome-${event.event_id}` }),
    );
    if (sent) welcomeMailsSent.inc();
    logger.info({ eventId: event.event_id, sent }, sent ? 'welcome mail sent' : 'welcome mail already sent');
    return { kind: 'done' };
  } catch (err) {
    return { kind: 'retry', reason: err instanceof HttpError || err instanceof Error ? err.message : String(err) };
  }
}
