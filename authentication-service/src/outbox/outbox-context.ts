import { currentRequestId, extractTraceContext, injectTraceContext, REQUEST_ID_HEADER, runWithRequestId, SpanKind, withSpan } from '@go-micro/toolkit';
import type { OutboxRow } from './outbox-store.js';

/**
 * The request that writes an event, as the outbox keeps it beside the event:
 * its request id and W3C trace context (traceparent, tracestate). The event
 * is sent later, by the poller, outside any request; with these its publish
 * joins the sign-up's trace and log lines, and so does the mail service's work.
 */
export function requestContext(): Record<string, string> {
  const requestId = currentRequestId();
  return injectTraceContext<Record<string, string>>(requestId ? { [REQUEST_ID_HEADER]: requestId } : {});
}

/**
 * Runs `publish` as the producer span of `row`, the child of the request that
 * wrote it, under its request id; `publish` gets the message's headers (the
 * request id and this span's traceparent). A row kept without them (written
 * while tracing was off) starts a trace of its own.
 */
export function publishInRequestContext<T>(exchange: string, row: OutboxRow, publish: (headers: Record<string, string>) => Promise<T>): Promise<T> {
  const stored = row.headers ?? {};
  const requestId = stored[REQUEST_ID_HEADER];
  const attributes = {
    'messaging.system': 'rabbitmq',
    'messaging.operation.type': 'publish',
    'messaging.destination.name': exchange,
    'messaging.rabbitmq.destination.routing_key': row.routing_key,
    'messaging.message.id': row.id,
  };
  const send = () =>
    withSpan(`publish ${exchange}`, { kind: SpanKind.PRODUCER, parent: extractTraceContext(stored), attributes }, () =>
      publish(injectTraceContext<Record<string, string>>(requestId ? { [REQUEST_ID_HEADER]: requestId } : {})),
    );
  return requestId ? runWithRequestId(requestId, send) : send();
}
