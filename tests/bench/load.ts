import autocannon from 'autocannon';

/** One broker route under load, with the body the test page sends to it. */
export interface Route {
  name: string;
  path: string;
  body?: unknown;
  /** What bounds it, measured in the same run: Node itself, the store's writes, bcrypt. */
  limit: 'node' | 'store' | 'bcrypt' | 'smtp';
}

// The payloads of the test page's buttons (contract), so each route does its real work.
const log = { action: 'log', log: { name: 'bench', data: 'load from tests/bench' } };
export const routes: Route[] = [
  { name: 'POST /', path: '/', limit: 'node' },
  { name: '/handle log (JSON-RPC)', path: '/handle', body: log, limit: 'store' },
  { name: '/log-grpc', path: '/log-grpc', body: log, limit: 'store' },
  { name: '/log-rabbit', path: '/log-rabbit', body: log, limit: 'store' },
  { name: '/log-http', path: '/log-http', body: log, limit: 'store' },
  {
    name: '/handle mail',
    path: '/handle',
    body: { action: 'mail', mail: { from: 'me@example.com', to: 'you@there.com', subject: 'Bench', message: 'Hello world!' } },
    limit: 'smtp',
  },
  { name: '/handle auth', path: '/handle', body: { action: 'auth', auth: { email: 'admin@example.com', password: 'verysecret' } }, limit: 'bcrypt' },
];

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Replies that were not 2xx, and requests that got no reply (connection errors, timeouts). */
  non2xx: number;
  errors: number;
  /** 503s among the non-2xx (the authentication service shedding load). */
  shed: number;
  total: number;
}

/** `connections` keep-alive connections POSTing the route's body to `baseUrl` for `seconds`. */
export async function load(baseUrl: string, route: Pick<Route, 'path' | 'body'>, seconds: number, connections: number): Promise<LoadResult> {
  const result = await autocannon({
    url: `${baseUrl}${route.path}`,
    method: 'POST',
    connections,
    duration: seconds,
    timeout: 10,
    headers: route.body === undefined ? {} : { 'content-type': 'application/json' },
    body: route.body === undefined ? undefined : JSON.stringify(route.body),
  });
  return {
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    shed: (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats?.['503']?.count ?? 0,
    total: result.requests.total,
  };
}

/** A plain table: the first column left-aligned, the others right-aligned. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function printTable(header: string[], rows: (string | number)[][]): void {
  console.log(formatTable(header, rows));
}
