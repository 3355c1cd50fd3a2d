// Load on every broker route of the whole system, run natively; prints numbers, asserts nothing.
// Run: `make bench` (npx tsx bench/broker.bench.ts) after `npx tsc -b`.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { startSystem, type ServiceName, type System } from '@go-micro/testkit/system.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const WARMUP_S = 1;

interface Route {
  name: string;
  path: string;
  body?: unknown;
}

// The payloads of the test page's buttons (contract), so each route does its real work.
const log = { action: 'log', log: { name: 'bench', data: 'load from bench/broker.bench.ts' } };
const routes: Route[] = [
  { name: 'POST /', path: '/' },
  { name: '/handle auth', path: '/handle', body: { action: 'auth', auth: { email: 'admin@example.com', password: 'verysecret' } } },
  { name: '/handle log (JSON-RPC)', path: '/handle', body: log },
  { name: '/log-grpc', path: '/log-grpc', body: log },
  { name: '/log-rabbit', path: '/log-rabbit', body: log },
  { name: '/log-http', path: '/log-http', body: log },
  {
    name: '/handle mail',
    path: '/handle',
    body: { action: 'mail', mail: { from: 'me@example.com', to: 'you@there.com', subject: 'Bench', message: 'Hello world!' } },
  },
];

function load(system: System, route: Route, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${system.brokerUrl}${route.path}`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: route.body === undefined ? {} : { 'content-type': 'application/json' },
    body: route.body === undefined ? undefined : JSON.stringify(route.body),
  });
}

/** Resident and peak resident memory of a process in MiB, from the kernel's own accounting. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

function snapshot(system: System): Partial<Record<ServiceName, { rss: number; peak: number }>> {
  return Object.fromEntries(Object.entries(system.pids()).map(([name, pid]) => [name, memory(pid)]));
}

function printTable(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells.slice(1)) console.log(line(row));
}

async function bench(system: System): Promise<void> {
  const before = snapshot(system);
  const rows: (string | number)[][] = [];
  for (const route of routes) {
    process.stdout.write(`loading ${route.name} (${WARMUP_S} s warm-up, ${DURATION_S} s measured)...\n`);
    await load(system, route, WARMUP_S);
    const result = await load(system, route, DURATION_S);
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
