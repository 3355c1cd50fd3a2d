import { Writable } from 'node:stream';
import { pino } from 'pino';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  currentTraceId,
  extractFromMetadata,
  extractTraceContext,
  injectIntoMetadata,
  injectTraceContext,
  SpanKind,
  startTracing,
  stopTracing,
  tracingMode,
  withoutTracing,
  withSpan,
} from '../src/tracing.js';

const exporter = new InMemorySpanExporter();
const quiet = pino({ level: 'silent' });

beforeAll(async () => {
  await startTracing('toolkit-test', quiet, {}, [new SimpleSpanProcessor(exporter)]);
});
afterAll(() => stopTracing());
beforeEach(() => exporter.reset());

/** A gRPC Metadata's shape: several values per key. */
class FakeMetadata {
  private readonly values = new Map<string, unknown[]>();
  get(key: string): unknown[] {
    return this.values.get(key) ?? [];
  }
  set(key: string, value: string): void {
    this.values.set(key, [value]);
  }
}

describe('tracing mode from the standard environment', () => {
  it('is off without an endpoint, OTLP with one, the console when asked, off when disabled', () => {
    expect(tracingMode({})).toBe('off');
    expect(tracingMode({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' })).toBe('otlp');
    expect(tracingMode({ OTEL_TRACES_EXPORTER: 'console' })).toBe('console');
    expect(tracingMode({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SDK_DISABLED: 'true' })).toBe('off');
    expect(tracingMode({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe('off');
  });
});

describe('W3C trace context propagation', () => {
  it('when a client span injects into headers, the server span extracted from them is its child in the same trace', async () => {
    const headers: Record<string, unknown> = {};
    await withSpan('client', { kind: SpanKind.CLIENT }, async () => {
      injectTraceContext(headers);
      await withSpan('server', { kind: SpanKind.SERVER, parent: extractTraceContext(headers) }, async () => undefined);
    });
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [server, client] = exporter.getFinishedSpans();
    expect(server?.name).toBe('server');
    expect(client?.name).toBe('client');
    expect(server?.spanContext().traceId).toBe(client?.spanContext().traceId);
    expect(server?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
  });

  it('when the context goes through gRPC-style metadata, it arrives whole', async () => {
    const metadata = new FakeMetadata();
    let sent = '';
    await withSpan('call', {}, async (span) => {
      sent = span.spanContext().traceId;
      injectIntoMetadata(metadata);
    });
    await withSpan('handle', { parent: extractFromMetadata(metadata) }, async () => undefined);
    const handle = exporter.getFinishedSpans().find((span) => span.name === 'handle');
    expect(handle?.spanContext().traceId).toBe(sent);
  });

  it('when AMQP headers carry the traceparent as a Buffer, it is still read', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const carrier = { traceparent: Buffer.from(`00-${traceId}-00f067aa0ba902b7-01`) };
    await withSpan('consume', { parent: extractTraceContext(carrier) }, async () => undefined);
    expect(exporter.getFinishedSpans()[0]?.spanContext().traceId).toBe(traceId);
  });

  it('when no context came, the span starts a new trace', async () => {
    await withSpan('root', { parent: extractTraceContext({}) }, async () => undefined);
    const [root] = exporter.getFinishedSpans();
    expect(root?.parentSpanContext).toBeUndefined();
  });

  it('when the work throws, the span is marked failed and the error goes on', async () => {
    await expect(withSpan('failing', {}, () => Promise.reject(new Error('MongoDB is unavailable')))).rejects.toThrow('MongoDB is unavailable');
    const [failing] = exporter.getFinishedSpans();
    expect(failing?.status).toEqual({ code: 2, message: 'MongoDB is unavailable' });
  });
});

describe('trace id on log lines', () => {
  it("when a span is active, currentTraceId (what the logger's mixin stamps) is its trace id, across awaits; outside one, none", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ mixin: () => (currentTraceId() ? { traceId: currentTraceId() } : {}) }, sink);
    let traceId = '';
    await withSpan('work', {}, async (span) => {
      traceId = span.spanContext().traceId;
      await Promise.resolve();
      logger.info('inside');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', traceId });
    expect(lines[1]).not.toHaveProperty('traceId');
  });
});

describe('work outside any request', () => {
  it('when it runs withoutTracing, its spans are not recorded, even across awaits; a span given a stored parent still is', async () => {
    const stored: Record<string, unknown> = {};
    await withSpan('sign-up', { kind: SpanKind.SERVER }, async () => {
      injectTraceContext(stored);
    });
    exporter.reset();

    await withoutTracing(async () => {
      await withSpan('poll query', { kind: SpanKind.CLIENT }, async () => undefined);
      await Promise.resolve();
      await withSpan('publish', { kind: SpanKind.PRODUCER, parent: extractTraceContext(stored) }, async () => undefined);
      await withSpan('mark sent', { kind: SpanKind.CLIENT }, async () => undefined);
    });

    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['publish']);
    expect(spans[0]!.spanContext().traceId).toBe(String(stored.traceparent).split('-')[1]);
  });
});
