import { request } from 'node:http';
import { freePorts } from '@go-micro/testkit/free-port.js';
import { postJSON } from '@go-micro/testkit/http.js';
import type { ListenerStatus } from '@go-micro/testkit/listener-status.js';
import { SERVICES } from '@go-micro/testkit/services.js';
import { docker, lines, run } from './commands.js';

// What the container tests share: the names that keep their stack apart from a user's, the ports
// they choose, and ways to look at the containers from outside.

/** A compose project, swarm stack and image tag of the tests' own: a user's `make up` stack and images stay untouched. */
export const TEST_PROJECT = 'go-micro-test';
export const TEST_TAG = 'test';

/** The images built from this repository's Dockerfile, as `make up` names them (after their folders). */
export const SERVICE_IMAGES = SERVICES.map((service) => `go-micro/${service.folder}:${TEST_TAG}`);

/** Free ports on 127.0.0.1 for the given variables, all different. */
export async function choosePorts<Name extends string>(...names: Name[]): Promise<Record<Name, string>> {
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((name, i) => [name, String(ports[i])])) as Record<Name, string>;
}

/** A container's health (or its state, when its image has no health check). */
export const healthOf = (container: string) =>
  docker('inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}', container);

/** Names of the running containers that carry a label (e.g. a compose project's, a stack's). */
export async function containersWith(label: string, ...more: string[]): Promise<string[]> {
  return lines(await docker('ps', '--filter', `label=${label}`, ...more.flatMap((l) => ['--filter', `label=${l}`]), '--format', '{{.Names}}')).sort();
}

/** What one listener says of itself on GET /health, asked inside its container (it publishes no port). */
export async function listenerStatus(container: string): Promise<ListenerStatus | undefined> {
  const script = "fetch('http://127.0.0.1:' + process.env.PORT + '/health').then(async (r) => console.log(r.status === 200 ? JSON.stringify((await r.json()).data) : ''))";
  const { stdout, code } = await run('docker', ['exec', container, 'node', '-e', script], { check: false });
  return code === 0 && stdout.trim() !== '' ? (JSON.parse(stdout) as ListenerStatus) : undefined;
}

/** The course's payloads of the page's buttons, with a name of the test's own where it logs. */
export const payloads = {
  auth: { action: 'auth', auth: { email: 'admin@example.com', password: 'verysecret' } },
  log: (name: string, data = 'from the container tests') => ({ action: 'log', log: { name, data } }),
  mail: (subject: string) => ({ action: 'mail', mail: { from: 'me@example.com', to: 'you@there.com', subject, message: 'Hello world!' } }),
};

/** POSTs JSON to the broker at `baseUrl`. */
export const brokerPost = (baseUrl: string) => (path: string, body?: unknown) => postJSON(`${baseUrl}${path}`, body);

export interface ProxiedReply {
  status: number;
  text: string;
}

/**
 * A request to Caddy on 127.0.0.1:port with the Host header a browser would send for `host`
 * (fetch may not set Host; node:http may).
 */
export function viaCaddy(port: string, host: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ProxiedReply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port: Number(port),
        method,
        path,
        headers: { host, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) },
        timeout: 15_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from 127.0.0.1:${port} (Host: ${host}) within 15 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}
