// Load on every broker route of the whole system, run natively; prints numbers, asserts nothing.
// Run: `make bench` (npx tsx bench/broker.bench.ts) after `npx tsc -b`.
import { readFileSync } from 'node:fs';
import { startSystem, type ServiceName, type System } from '@go-micro/testkit/system.js';
import { load, printTable, routes, type Route } from './load.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const WARMUP_S = 1;

const loadRoute = (system: System, route: Route, seconds: number) => load(system.brokerUrl, route, seconds, CONNECTIONS);

/** Resident and peak resident memory of a process in MiB, from the kernel's own accounting. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

function snapshot(system: System): Partial<Record<ServiceName, { rss: number; peak: number }>> {
  return Object.fromEntries(Object.entries(system.pids()).map(([name, pid]) => [name, memory(pid)]));
}

async function bench(system: System): Promise<void> {
  const before = snapshot(system);
  const rows: (string | number)[][] = [];
  for (const route of routes) {
    process.stdout.write(`loading ${route.name} (${WARMUP_S} s warm-up, ${DURATION_S} s measured)...\n`);
    await loadRoute(system, route, WARMUP_S);
    const result = await loadRoute(system, route, DURATION_S);
    rows.push([
      route.name,
      (result.requests.total / result.duration).toFixed(1),
      result.latency.p50,
      result.latency.p99,
      result.non2xx,
      result.errors,
    ]);
  }
  const after = snapshot(system);

  console.log(`\nbroker routes, ${CONNECTIONS} connections, ${DURATION_S} s each, loopback\n`);
  printTable(['route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'], rows);

  console.log('\nservice memory (MiB): RSS before load, RSS after load, peak RSS\n');
  printTable(
    ['service', 'before', 'after', 'peak'],
    Object.entries(after).map(([name, mem]) => [
      name,
      before[name as ServiceName]?.rss.toFixed(1) ?? '-',
      mem.rss.toFixed(1),
      mem.peak.toFixed(1),
    ]),
  );
}

let system: System | undefined;
// Ctrl-C still stops every service, FerretDB and the mail catcher.
process.once('SIGINT', () => void (system?.shutdown() ?? Promise.resolve()).finally(() => process.exit(130)));

try {
  console.log('starting the system (FerretDB, Mailpit, Postgres database, RabbitMQ vhost, every service)...');
  // One client (this process) makes every request: the login and mail limits would measure 429s, not the routes.
  system = await startSystem({
    env: {
      authentication: { LOGIN_PER_MINUTE: '10000', LOGIN_FAILURES_PER_EMAIL: '10000' },
      broker: { MAIL_PER_MINUTE: '10000' },
      mail: { MAIL_MAX_PER_MINUTE: '100000' },
    },
  });
} catch (err) {
  console.error('the system did not start:', err instanceof Error ? err.message : err);
  process.exit(1);
}
try {
  await bench(system);
} finally {
  await system.shutdown();
}
