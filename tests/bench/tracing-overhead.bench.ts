// What tracing costs a request: the broker under load on a few routes with tracing off, then on
// (spans to a real Jaeger, offline/tools/jaeger), then off and on again, so drift on a shared machine shows.
// Not a test; run it with `npx tsx tests/bench/tracing-overhead.bench.ts` after `make build`.
import { startJaeger } from '@go-micro/testkit/jaeger.js';
import { startSystem, type ServiceName } from '@go-micro/testkit/system.js';
import { load, printTable, routes } from './load.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROUTES = (process.env.BENCH_ROUTES ?? '/log-grpc,/log-http').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const services: ServiceName[] = ['logger', 'broker'];

const jaeger = await startJaeger();
const system = await startSystem({ services });
const rows: (string | number)[][] = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const tracing of [false, true]) {
      // Restarted with or without a collector: an empty endpoint is tracing off, the no-op tracer.
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: tracing ? jaeger.otlpEndpoint : '' };
      for (const name of [...services].reverse()) await system.stop(name);
      for (const name of services) await system.start(name, 0, env);
      for (const route of routes.filter((r) => ROUTES.includes(r.name))) {
        await load(system.brokerUrl, route, 2, CONNECTIONS); // warm-up
        const result = await load(system.brokerUrl, route, DURATION_S, CONNECTIONS);
        rows.push([route.name, tracing ? 'on' : 'off', round, Math.round(result.rps), result.p50, result.p99, result.non2xx + result.errors]);
      }
    }
  }
} finally {
  await system.shutdown();
  await jaeger.stop();
}
console.log(`\n${CONNECTIONS} connections, ${DURATION_S} s per run`);
printTable(['route', 'tracing', 'round', 'req/s', 'p50 ms', 'p99 ms', 'failed'], rows);
