import type { Pool } from 'pg';
import { defineCounter, defineGauge, withoutTracing } from '@go-micro/toolkit';
import { countUnsent } from './outbox/outbox-store.js';

/** What became of a login: let in, refused (wrong credentials, an inactive account), or limited (too many tries: 429). */
export type LoginOutcome = 'ok' | 'refused' | 'limited';

/** Logins of the course's /authenticate, /token and so the logger's dashboard, by outcome. */
export const logins = defineCounter('logins_total', 'Logins checked (/authenticate, /token), by outcome: ok, refused (wrong credentials or an inactive account), limited (too many tries, answered 429).', ['outcome']);
// Every outcome is a series from the start, so a rate() or an alert on "limited" sees 0 before the first one.
for (const outcome of ['ok', 'refused', 'limited'] satisfies LoginOutcome[]) logins.inc({ outcome }, 0);

/** Users signed up (their user row and user.registered event committed). */
export const signUps = defineCounter('signups_total', 'Users signed up: the user row and its user.registered event committed together.', []);

/**
 * `outbox_backlog`: the events not sent to RabbitMQ yet, counted at each
 * scrape. The query runs for Prometheus, not for a request: it makes no span.
 */
export function watchOutboxBacklog(pool: Pool): void {
  defineGauge('outbox_backlog', 'Events in the outbox not sent to RabbitMQ yet (counted at each scrape).', () => withoutTracing(() => countUnsent(pool)));
}
