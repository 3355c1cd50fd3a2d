// CPU time of the spans a request makes, independent of a noisy machine: 40,000 spans (a server
// span with a client child, as a hop makes), with tracing off (the no-op tracer), then on with every
// span exported over OTLP/HTTP to a real Jaeger (offline/tools/jaeger), export included (flushed per 2,000).
// Not a test; run it with `npx tsx tests/bench/span-cost.bench.ts`.
import { pino } from 'pino';
import { startJaeger } from '@go-micro/testkit/jaeger.js';
import { forceFlushTracing, SpanKind, startTracing, stopTracing, withSpan } from '@go-micro/toolkit';

const PAIRS = 20_000;
const BATCH = 1_000;

async function hops(): Promise<number> {
  const started = process.cpuUsage();
  for (let done = 0; done < PAIRS; done += BATCH) {
    for (let i = 0; i < BATCH; i++) {
      await withSpan('POST /log-grpc', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'url.path': '/log-grpc' } }, () =>
        withSpan('logs.LogService/WriteLog', { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'grpc', 'rpc.method': 'WriteLog' } }, async () => undefined),
      );
    }
    await forceFlushTracing();
  }
  const { user, system } = process.cpuUsage(started);
  return (user + system) / (PAIRS * 2);
}

const off = await hops();
const jaeger = await startJaeger();
await startTracing('span-cost', pino({ level: 'warn' }), { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint });
await hops(); // warm-up
const on = await hops();
await stopTracing();
await jaeger.stop();
console.log(`CPU per span: tracing off ${off.toFixed(2)} µs, on (made, batched, exported to Jaeger) ${on.toFixed(2)} µs`);
