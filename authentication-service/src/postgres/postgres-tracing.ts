import type pg from 'pg';
import { context, failSpan, SpanKind, trace, tracer, tracingEnabled } from '@go-micro/toolkit';

/** The statement's first word, for the span name: "postgres SELECT", "postgres INSERT", "postgres BEGIN". */
function operation(text: string | undefined): string {
  return /^\s*(\w+)/.exec(text ?? '')?.[1]?.toUpperCase() ?? 'query';
}

/**
 * A CLIENT span around every query of the pool's connections, named after
 * the statement's first word, with the statement text (never its values).
 * Every pool.query goes through a connection's query, as do transactions,
 * so wrapping each connection as the pool opens it covers them all.
 * Nothing is wrapped when tracing is off.
 */
export function tracePostgres(pool: pg.Pool): void {
  if (!tracingEnabled()) return;
  pool.on('connect', (client) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text?: string } | undefined;
      const text = typeof first === 'string' ? first : first?.text;
      const span = tracer().startSpan(`postgres ${operation(text)}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system.name': 'postgresql', 'db.operation.name': operation(text), ...(text ? { 'db.query.text': text.slice(0, 1_000) } : {}) },
      });
      const end = (err?: unknown) => {
        if (err) failSpan(span, err);
        span.end();
      };
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (err: unknown, result: unknown) => {
          end(err);
          (callback as (err: unknown, result: unknown) => void)(err, result);
        };
        return context.with(trace.setSpan(context.active(), span), () => original(...args));
      }
      const result = context.with(trace.setSpan(context.active(), span), () => original(...args));
      if (result instanceof Promise) result.then(() => end(), end);
      else end();
      return result;
    };
  });
}
