import autocannon from 'autocannon';

/** One broker route under load, with the body the test page sends to it. */
export interface Route {
  name: string;
  path: string;
  body?: unknown;
}

// The payloads of the test page's buttons (contract), so each route does its real work.
const log = { action: 'log', log: { name: 'bench', data: 'load from tests/bench' } };
export const routes: Route[] = [
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

/** `connections` keep-alive connections POSTing the route's body to the broker at `brokerUrl` for `seconds`. */
export function load(brokerUrl: string, route: Route, seconds: number, connections: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${brokerUrl}${route.path}`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: route.body === undefined ? {} : { 'content-type': 'application/json' },
    body: route.body === undefined ? undefined : JSON.stringify(route.body),
  });
}

/** A plain table on stdout: the first column left-aligned, the others right-aligned. */
export function printTable(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells.slice(1)) console.log(line(row));
}
