// `make bench`: every broker route of the whole system, run natively, at 1, 10 and 50
// connections, beside the limits measured in the same run. Prints numbers and writes them to
// tests/bench/results.md (quoted by the README); asserts nothing.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { execaSync } from 'execa';
import { startSystem, type ServiceName, type System } from '@go-micro/testkit/system.js';
import { bcryptRate, rawInsertRate, startBareServer } from './baselines.js';
import { comparedFromEnv, type Compared } from './compare.js';
import { formatTable, load, routes, type LoadResult, type Route } from './load.js';

const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '1,10,50').split(',').map(Number);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
// BENCH_ROUTES=mail,auth: only the routes whose name contains one of these (a quick look at one route).
const ROUTE_FILTER = process.env.BENCH_ROUTES?.split(',').filter(Boolean);
// BENCH_NODE: the `node` the services and the baselines run under: this one's by default, `image`
// for the version the images run (fetched once by scripts/image-node.sh), or a path.
const NODE =
  process.env.BENCH_NODE === 'image'
    ? execaSync(new URL('../../scripts/image-node.sh', import.meta.url), { stderr: 'inherit' }).stdout
    : process.env.BENCH_NODE || process.execPath;
const NODE_VERSION = execaSync(NODE, ['--version']).stdout.replace(/^v/, '');
// Under another Node the table goes to a file of its own, so results.md stays the machine's Node's.
const RESULTS = NODE === process.execPath ? new URL('./results.md', import.meta.url) : new URL(`./results-node-${NODE_VERSION}.md`, import.meta.url);
const WARMUP_S = 1;
// Before a route's first row its code is warmed up at 10 connections: V8 optimizes a function once
// it has run enough, and a second at one connection (a few hundred requests) left the route's own
// code (its client, the logger's server, the driver) in the interpreter for much of the row, which
// a service that has been up for a minute no longer is. BENCH_ROUTE_WARMUP=0 measures it cold.
const ROUTE_WARMUP_S = Number(process.env.BENCH_ROUTE_WARMUP ?? 5);
const ROUTE_WARMUP_CONNECTIONS = 10;
const BCRYPT_COST = 12;

/**
 * Resident and peak resident memory of a process in MiB, from the kernel's own accounting, and the
 * two parts of the resident: anonymous (the process's own: heap, stacks, buffers) and file-backed
 * (pages of the `node` binary and libraries, the same clean pages in every service).
 */
function memory(pid: number): { rss: number; peak: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024, anon: kib('RssAnon') / 1024, file: kib('RssFile') / 1024 };
}

/** A process's /proc/<pid>/stat fields after its name: [0] state, [2] process group, [11] user and [12] system ticks. */
const stat = (pid: number | string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
const ticksToMicros = (fields: string[]) => ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;

/** CPU time a process has used so far, in µs (user + system, from /proc). */
function cpuMicros(pid: number): number {
  return ticksToMicros(stat(pid));
}

/** CPU time every process of a process group has used so far, in µs (the compared system: its shell and what it started). */
function groupCpuMicros(group: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = stat(entry);
      if (Number(fields[2]) === group) total += ticksToMicros(fields);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return total;
}

const services = (system: System) => Object.entries(system.pids()) as [ServiceName, number][];
/** The stores this run started, which both systems use: their CPU a request shows what each system asks of them. */
const stores = (system: System): [string, number][] => {
  const started: [string, number | undefined][] = [
    ['ferretdb', system.mongo.pid],
    ['mailpit', system.mail.pid],
  ];
  return started.filter((store): store is [string, number] => store[1] !== undefined);
};
/** CPU µs per request of each process that did any work (20 µs or more), from readings before and after. */
function perRequest(pids: readonly (readonly [string, number])[], before: Map<string, number>, requests: number): Record<string, number> {
  const cpu: Record<string, number> = {};
  for (const [name, pid] of pids) {
    const micros = (cpuMicros(pid) - before.get(name)!) / Math.max(requests, 1);
    if (micros >= 20) cpu[name] = micros;
  }
  return cpu;
}
const cpuNow = (pids: readonly (readonly [string, number])[]) => new Map(pids.map(([name, pid]) => [name, cpuMicros(pid)]));
const cpuCell = (cpu: Record<string, number>) =>
  Object.entries(cpu)
    .map(([name, micros]) => `${name} ${fixed(micros)}`)
    .join(', ');
const sum = (cpu: Record<string, number>) => Object.values(cpu).reduce((total, micros) => total + micros, 0);
const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
/** 2xx replies per second of a row. */
const okRate = (result: LoadResult) => (result.total - result.non2xx) / DURATION_S;
/** A row's req/s, p50 and p99 cells. */
const rateCells = (result: LoadResult) => [fixed(result.rps, 1), result.p50, result.p99];
const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Starts a process's peak RSS (VmHWM) afresh, so the next reading is the peak of one route
 * (Linux: clear_refs 5, allowed to the process's owner). False where the kernel refuses.
 */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

interface Row {
  route: Route;
  connections: number;
  result: LoadResult;
  /** The highest peak RSS of any service during this row, and whose; undefined where peaks cannot be reset. */
  peak?: { service: ServiceName; mib: number };
  /** CPU µs per request of each service that did any work. */
  cpu: Partial<Record<ServiceName, number>>;
  /** The same, of FerretDB and Mailpit. */
  storeCpu: Record<string, number>;
  /** The same load on the compared system (BENCH_COMPARE_CMD), right after. */
  other?: ComparedRow;
}

interface ComparedRow {
  result: LoadResult;
  /** CPU µs per request of all its processes together; undefined where its process group could not be read. */
  cpu?: number;
  /** CPU µs per request of FerretDB and Mailpit while it was loaded. */
  storeCpu: Record<string, number>;
}

/**
 * Waits until the services are quiet (under 2% of a core for 250 ms): the listener may still be
 * writing what the previous route queued, and that work must not be counted against this one.
 */
async function settle(system: System, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const before = services(system).reduce((sum, [, pid]) => sum + cpuMicros(pid), 0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const used = services(system).reduce((sum, [, pid]) => sum + cpuMicros(pid), 0) - before;
    if (used < 0.02 * 250_000) return;
  }
}

async function measure(system: System, route: Route, connections: number): Promise<Row> {
  await settle(system);
  await load(system.brokerUrl, route, WARMUP_S, connections);
  await settle(system);
  const before = cpuNow(services(system));
  const storesBefore = cpuNow(stores(system));
  const peaks = services(system).every(([, pid]) => resetPeak(pid));
  const result = await load(system.brokerUrl, route, DURATION_S, connections);
  const storeCpu = perRequest(stores(system), storesBefore, result.total);
  let peak: Row['peak'];
  if (peaks) {
    for (const [service, pid] of services(system)) {
      const mib = memory(pid).peak;
      if (mib > (peak?.mib ?? 0)) peak = { service, mib };
    }
  }
  const cpu: Row['cpu'] = perRequest(services(system), before, result.total);
  return { route, connections, result, cpu, storeCpu, ...(peak ? { peak } : {}) };
}

/** The same row on the compared system: started afresh for it (the Go original leaks a connection per JSON-RPC call and per login), warmed up, measured, stopped. */
async function measureCompared(system: System, compared: Compared, route: Route, connections: number): Promise<ComparedRow> {
  await compared.start();
  try {
    await load(compared.url, route, WARMUP_S, connections);
    // This system's listener may still be writing what its own row queued: that is not the compared row's work on the stores.
    await settle(system);
    const group = compared.processGroup();
    const before = group === undefined ? 0 : groupCpuMicros(group);
    const storesBefore = cpuNow(stores(system));
    const result = await load(compared.url, route, DURATION_S, connections);
    const storeCpu = perRequest(stores(system), storesBefore, result.total);
    if (group === undefined) return { result, storeCpu };
    return { result, storeCpu, cpu: (groupCpuMicros(group) - before) / Math.max(result.total, 1) };
  } finally {
    await compared.stop();
  }
}

const chosenRoutes = routes.filter((route) => !ROUTE_FILTER || ROUTE_FILTER.some((part) => route.name.includes(part)));
/** Whether the broker's `POST /` runs, around which the bare baselines are measured (bracket, below). */
const bracketed = chosenRoutes.some((route) => route.limit === 'node');

const BARE_KINDS = ['node', 'express'] as const;
type BareKind = (typeof BARE_KINDS)[number];
type BareServer = Awaited<ReturnType<typeof startBareServer>>;
/** A baseline server's load at some connections, and its CPU µs a request. */
interface BareRow {
  result: LoadResult;
  cpu: number;
}

/** A baseline server loaded for `seconds` after a warm-up, and its CPU a request from /proc. */
async function measureBare(server: BareServer, connections: number, seconds: number): Promise<BareRow> {
  await load(server.url, { path: '/' }, WARMUP_S, connections);
  const before = cpuMicros(server.pid);
  const result = await load(server.url, { path: '/' }, seconds, connections);
  return { result, cpu: (cpuMicros(server.pid) - before) / Math.max(result.total, 1) };
}

/** Two halves of a baseline's load as one: counts added, rates over both, the worse p50 and p99 of the two. */
function joinHalves(first: BareRow, second: BareRow): BareRow {
  const [a, b] = [first.result, second.result];
  const total = a.total + b.total;
  const result: LoadResult = {
    rps: (a.rps + b.rps) / 2,
    p50: Math.max(a.p50, b.p50),
    p99: Math.max(a.p99, b.p99),
    non2xx: a.non2xx + b.non2xx,
    errors: a.errors + b.errors,
    shed: a.shed + b.shed,
    total,
  };
  return { result, cpu: (first.cpu * a.total + second.cpu * b.total) / Math.max(total, 1) };
}

/**
 * The broker's `POST /` row with its limits measured around it: bare Node and bare Express for
 * half the time each before it and again, in the reverse order, after it, at the same connections.
 * This machine's speed drifts: for tens of seconds at a time every process on it runs up to 1.7x
 * slower (two servers loaded in turn slowed and recovered together, 2026-12-04), so limits taken
 * minutes before a row could halve or double its ratio; taken around it, a drift that is steady
 * over the minute falls on both sides alike.
 */
async function bracket(bare: Record<BareKind, BareServer>, baselines: Record<BareKind, Map<number, BareRow>>, row: () => Promise<Row>, connections: number): Promise<Row> {
  const half = DURATION_S / 2;
  const before = { node: await measureBare(bare.node, connections, half), express: await measureBare(bare.express, connections, half) };
  const measured = await row();
  const expressAfter = await measureBare(bare.express, connections, half);
  const nodeAfter = await measureBare(bare.node, connections, half);
  baselines.node.set(connections, joinHalves(before.node, nodeAfter));
  baselines.express.set(connections, joinHalves(before.express, expressAfter));
  return measured;
}

async function main(): Promise<void> {
  const started = Date.now();
  const out: string[] = [];
  const say = (text = '') => {
    log(text);
    out.push(text);
  };

  // The two servers stay up until the broker's `POST /` rows are done: each is measured around the
  // broker's row at the same connections, half before it and half after (bracket, above).
  log('baselines: a bare Node HTTP server and bare Express...');
  const bare: Record<BareKind, BareServer> = { node: await startBareServer('node', NODE), express: await startBareServer('express', NODE) };
  const baselines: Record<BareKind, Map<number, BareRow>> = { node: new Map(), express: new Map() };
  const stopBare = () => Promise.allSettled(Object.values(bare).map((server) => server.stop()));
  // Without the `POST /` route (BENCH_ROUTES), the limits table still has them, measured here, whole.
  if (!bracketed) {
    for (const kind of BARE_KINDS) for (const connections of CONNECTIONS) baselines[kind].set(connections, await measureBare(bare[kind], connections, DURATION_S));
    await stopBare();
  }

  log('starting the system (FerretDB, Mailpit, a Postgres database, a RabbitMQ vhost, every service)...');
  // One client (this process) makes every request: the per-client limits would measure 429s, not the routes.
  // The production settings: JSON lines at info, one access line per request.
  const production = { LOG_LEVEL: 'info', LOG_PRETTY: 'false' };
  // The services' log lines go to files, as Docker's log driver takes them: read through pipes by
  // this process, they would take CPU from the load generator, which runs here too.
  const logDir = await mkdtemp(join(tmpdir(), 'bench-logs-'));
  log(`the services' logs: ${logDir}`);
  const system = await startSystem({
    logDir,
    node: NODE,
    env: {
      authentication: { ...production, LOGIN_PER_MINUTE: '10000', LOGIN_FAILURES_PER_EMAIL_AND_ADDRESS: '10000' },
      broker: { ...production, MAIL_PER_MINUTE: '100000' },
      mail: { ...production, MAIL_MAX_PER_MINUTE: '100000' },
      logger: production,
      listener: production,
      'front-end': production,
    },
  }).catch(async (err: unknown) => {
    await stopBare();
    throw err;
  });
  const compared = comparedFromEnv(system, logDir);
  if (compared) log(`comparing with the system BENCH_COMPARE_CMD starts, at ${compared.url}`);
  process.once('SIGINT', () => void Promise.allSettled([stopBare(), compared?.stop(), system.shutdown()]).finally(() => process.exit(130)));
  try {
    const insertRate = new Map<number, number>();
    for (const connections of CONNECTIONS) insertRate.set(connections, await rawInsertRate(system.mongo.url, connections, DURATION_S));
    const hashRate = await bcryptRate(BCRYPT_COST, DURATION_S);
    const atRest = new Map(services(system).map(([name, pid]) => [name, memory(pid).rss]));
    const highest = new Map<ServiceName, number>();
    // Sampled ten times a second through the whole run, warm-ups too (the peak the kernel keeps is
    // started afresh before each row's measured part), and the anonymous part, of which it keeps none.
    const highestAnon = new Map<ServiceName, number>();
    const sampleMemory = setInterval(() => {
      for (const [service, pid] of services(system)) {
        const { rss, anon } = memory(pid);
        highest.set(service, Math.max(highest.get(service) ?? 0, rss));
        highestAnon.set(service, Math.max(highestAnon.get(service) ?? 0, anon));
      }
    }, 100);

    const rows: Row[] = [];
    for (const route of chosenRoutes) {
      if (ROUTE_WARMUP_S > 0) {
        log(`warming ${route.name} up: ${ROUTE_WARMUP_S} s at ${ROUTE_WARMUP_CONNECTIONS} connections...`);
        await settle(system);
        await load(system.brokerUrl, route, ROUTE_WARMUP_S, ROUTE_WARMUP_CONNECTIONS);
      }
      for (const connections of CONNECTIONS) {
        log(`loading ${route.name} with ${connections} connection${connections === 1 ? '' : 's'} (${WARMUP_S} s warm-up, ${DURATION_S} s measured)...`);
        const row = route.limit === 'node' ? await bracket(bare, baselines, () => measure(system, route, connections), connections) : await measure(system, route, connections);
        if (compared) row.other = await measureCompared(system, compared, route, connections);
        rows.push(row);
        for (const [service, pid] of services(system)) highest.set(service, Math.max(highest.get(service) ?? 0, memory(pid).peak));
      }
    }
    clearInterval(sampleMemory);
    await stopBare();

    const limitOf = (route: Route, connections: number): { rate: number; what: string } | undefined => {
      switch (route.limit) {
        case 'node':
          return { rate: baselines.node.get(connections)!.result.rps, what: 'bare Node' };
        case 'store':
          return { rate: insertRate.get(connections)!, what: 'raw insertOne' };
        case 'bcrypt':
          return { rate: hashRate, what: 'bcrypt' };
        default:
          return undefined;
      }
    };

    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    say(`# make bench: broker routes, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    say();
    say(`${availableParallelism()} cores (${cpu}), Node ${NODE_VERSION}${NODE === process.execPath ? '' : ` (${process.env.BENCH_NODE === 'image' ? 'the images\' Node' : NODE})`}; every service, FerretDB, Postgres, RabbitMQ, Mailpit`);
    const routeWarmup = ROUTE_WARMUP_S > 0 ? `Each route first warmed up for ${ROUTE_WARMUP_S} s at ${ROUTE_WARMUP_CONNECTIONS} connections,` : 'No route warmed up first (BENCH_ROUTE_WARMUP=0),';
    say(`and the load generator (autocannon, keep-alive) on this one machine. ${routeWarmup}`);
    say(`then per row ${WARMUP_S} s warm-up and ${DURATION_S} s measured.`);
    say();
    say('## Limits, measured in this run');
    say();
    if (bracketed) {
      say(`Bare Node and bare Express: around the broker's POST / row at the same connections, ${fixed(DURATION_S / 2, 1)} s each before it and`);
      say('again after it in the reverse order (rates over both halves, the worse p50 and p99), since this machine\'s speed drifts.');
      say();
    }
    say('```');
    say(
      formatTable(
        ['limit', ...CONNECTIONS.map((c) => `${c} conn`)],
        [
          ['bare Node HTTP server, POST / (req/s)', ...CONNECTIONS.map((c) => fixed(baselines.node.get(c)!.result.rps))],
          ['bare Node p99 (ms)', ...CONNECTIONS.map((c) => baselines.node.get(c)!.result.p99)],
          ['bare Node CPU per request (µs)', ...CONNECTIONS.map((c) => fixed(baselines.node.get(c)!.cpu))],
          ['bare Express 5, one route (req/s)', ...CONNECTIONS.map((c) => fixed(baselines.express.get(c)!.result.rps))],
          ['bare Express CPU per request (µs)', ...CONNECTIONS.map((c) => fixed(baselines.express.get(c)!.cpu))],
          ['FerretDB raw insertOne, N writers (/s)', ...CONNECTIONS.map((c) => fixed(insertRate.get(c)!))],
          [`bcrypt cost ${BCRYPT_COST}, one per core (/s)`, ...CONNECTIONS.map(() => fixed(hashRate, 1))],
        ],
      ),
    );
    say('```');
    say();
    say('## Routes');
    say();
    say('Errors: replies that were not 2xx / requests without a reply (of which 503s: load shed on purpose). Of limit: the');
    say('2xx replies per second divided by the limit at the same connections (POST /: by bare Node and by bare Express). Peak RSS: the highest of any service during');
    say('the row, and whose. CPU: µs of CPU per request, per service that did any (from /proc), then FerretDB\'s and Mailpit\'s.');
    say();
    say('```');
    say(
      formatTable(
        ['route', 'conn', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'of limit', 'peak RSS MiB', 'CPU µs/request'],
        rows.map(({ route, connections, result, cpu: perService, storeCpu, peak }) => {
          const limit = limitOf(route, connections);
          const ok = okRate(result);
          const errors = `${result.non2xx}/${result.errors}${result.shed ? ` (${result.shed} shed)` : ''}`;
          return [
            route.name,
            connections,
            ...rateCells(result),
            errors,
            limit ? `${(ok / limit.rate).toFixed(2)} ${limit.what}${route.limit === 'node' ? `, ${(ok / baselines.express.get(connections)!.result.rps).toFixed(2)} Express` : ''}` : '-',
            peak ? `${fixed(peak.mib)} ${peak.service}` : '-',
            [cpuCell(perService), cpuCell(storeCpu)].filter(Boolean).join('; '),
          ];
        }),
      ),
    );
    say('```');
    say();
    if (compared) {
      say('## Against the compared system, row by row');
      say();
      say(`BENCH_COMPARE_CMD's system at ${compared.url}, loaded right after this one with the same row, started afresh for each row and warmed up`);
      say(`for ${WARMUP_S} s only (the Go original leaks a descriptor a call, and compiled code has no JIT to warm).`);
      say('Ratio: 2xx replies per second, this / compared; "-" where the compared system has no such route (no 2xx at all).');
      say('CPU: µs of CPU per request of all of this system\'s services / of all the compared system\'s processes; stores: the same of');
      say('FerretDB and Mailpit, which both use (what each system asks of them, on the same two cores).');
      say();
      say('```');
      say(
        formatTable(
          ['route', 'conn', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'compared req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio', 'CPU µs/req', 'stores µs/req'],
          rows.flatMap(({ route, connections, result, cpu, storeCpu, other }) => {
            if (!other) return [];
            const answered = okRate(other.result) > 0;
            const storeNames = [...new Set([...Object.keys(storeCpu), ...Object.keys(other.storeCpu)])];
            return [
              [
                route.name,
                connections,
                ...rateCells(result),
                `${result.non2xx}/${result.errors}`,
                ...(answered ? rateCells(other.result) : ['-', '-', '-']),
                `${other.result.non2xx}/${other.result.errors}`,
                answered ? (okRate(result) / okRate(other.result)).toFixed(2) : '-',
                answered ? `${fixed(sum(cpu))} / ${other.cpu === undefined ? '-' : fixed(other.cpu)}` : '-',
                answered ? storeNames.map((name) => `${name} ${fixed(storeCpu[name] ?? 0)} / ${fixed(other.storeCpu[name] ?? 0)}`).join(', ') : '-',
              ],
            ];
          }),
        ),
      );
      say('```');
      say();
    }
    say('## Memory (MiB)');
    say();
    say('```');
    say(
      formatTable(
        ['service', 'RSS at rest', 'RSS after', 'peak RSS', 'of it file-backed', 'peak anonymous'],
        services(system).map(([name, pid]) => {
          const now = memory(pid);
          return [name, fixed(atRest.get(name)!, 1), fixed(now.rss, 1), fixed(Math.max(highest.get(name) ?? 0, now.peak), 1), fixed(now.file, 1), fixed(Math.max(highestAnon.get(name) ?? 0, now.anon), 1)];
        }),
      ),
    );
    say('```');
    say();
    say('Peak RSS: the highest over the whole run, warm-ups included (the kernel\'s peak of each row, and samples ten times a second).');
    say('File-backed: the resident pages of the `node` binary and its libraries after the run, clean pages of one file that every');
    say('service maps (in the images too: one layer), counted in each RSS in full. Peak anonymous: the highest of the process\'s own');
    say('memory (V8\'s heap, buffers, stacks; `RssAnon`), sampled ten times a second.');
    say();
    say(`The whole run took ${Math.round((Date.now() - started) / 1000)} s.`);
    // A run of some routes only is a look, not the table the README quotes.
    if (ROUTE_FILTER) log('\nBENCH_ROUTES was set: results.md left as it was');
    else {
      writeFileSync(RESULTS, `${out.join('\n')}\n`);
      log(`\nwritten to ${RESULTS.pathname}`);
    }
  } finally {
    await stopBare();
    await compared?.stop();
    await system.shutdown();
  }
}

main().catch((err: unknown) => {
  console.error('the bench did not complete:', err instanceof Error ? err.message : err);
  process.exit(1);
});
