// Load on every broker route of the stack `make up` runs, and each container's memory at rest and
// under that load, from `docker stats`. Prints numbers, asserts nothing.
// Run: `make up`, then `make bench_containers` (COMPOSE_PROJECT_NAME and BROKER_PORT as for make up).
import { execa } from 'execa';
import { load, printTable, routes } from './load.js';

const PROJECT = process.env.COMPOSE_PROJECT_NAME || 'go-micro';
const BROKER_URL = `http://127.0.0.1:${process.env.BROKER_PORT || 8080}`;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 20);

/** Each container's memory in MiB by compose service, as `docker stats --no-stream` reports it (the cgroup's usage less its page cache). */
async function memory(): Promise<Map<string, number>> {
  const services = await containers();
  const { stdout } = await execa('docker', ['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}', ...services.keys()]);
  const units: Record<string, number> = { B: 1 / 2 ** 20, KiB: 1 / 1024, kB: 1 / 1024, MiB: 1, MB: 1, GiB: 1024, GB: 1024 };
  const usage = new Map<string, number>();
  for (const line of stdout.trim().split('\n')) {
    const match = /^(\S+) ([\d.]+)(\w+) \//.exec(line);
    if (match) usage.set(services.get(match[1]!) ?? match[1]!, Number(match[2]) * (units[match[3]!] ?? NaN));
  }
  return new Map([...usage].sort(([a], [b]) => a.localeCompare(b)));
}

let byName: Map<string, string> | undefined;
/** The stack's running containers: name → compose service (names differ between Compose v1 and v2). */
async function containers(): Promise<Map<string, string>> {
  if (byName === undefined) {
    const format = '{{.Names}} {{.Label "com.docker.compose.service"}}';
    const { stdout } = await execa('docker', ['ps', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', format]);
    byName = new Map(stdout.trim().split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
    if (byName.size === 0) throw new Error(`no container of compose project ${PROJECT} runs: make up first`);
  }
  return byName;
}

const atRest = await memory();
const peak = new Map<string, { mib: number; route: string }>();
const rows: (string | number)[][] = [];
for (const route of routes) {
  process.stdout.write(`loading ${route.name} for ${DURATION_S} s...\n`);
  const running = load(BROKER_URL, route, DURATION_S, CONNECTIONS);
  // Sampled twice while the load runs, after a third and two thirds of it.
  for (let sample = 0; sample < 2; sample++) {
    await new Promise((resolve) => setTimeout(resolve, (DURATION_S / 3) * 1000));
    for (const [name, mib] of await memory()) if (mib > (peak.get(name)?.mib ?? 0)) peak.set(name, { mib, route: route.name });
  }
  const result = await running;
  rows.push([route.name, result.rps.toFixed(1), result.p50, result.p99, result.non2xx, result.errors]);
}
const after = await memory();

console.log(`\nbroker routes of compose project ${PROJECT} at ${BROKER_URL}, ${CONNECTIONS} connections, ${DURATION_S} s each\n`);
printTable(['route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'], rows);
console.log('\ncontainer memory (MiB, docker stats): at rest before the load, highest of two samples during each route, after\n');
printTable(
  ['container', 'at rest', 'under load', 'during', 'after'],
  [...atRest.keys()].map((name) => [name, atRest.get(name)!.toFixed(0), peak.get(name)?.mib.toFixed(0) ?? '-', peak.get(name)?.route ?? '-', after.get(name)?.toFixed(0) ?? '-']),
);
