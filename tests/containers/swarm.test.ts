import { mailCatcherClient, type MailCatcherClient } from '@go-micro/testkit/mail-catcher-client.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoredLogs } from '@go-micro/testkit/stored-logs.js';
import { docker, lines, make, run, waitFor } from './commands.js';
import { choosePorts, containersWith, listenerStatus, payloads, SERVICE_IMAGES, TEST_PROJECT, TEST_TAG, viaCaddy } from './stack.js';

// `make swarm_up` for real on a one-node swarm: project/swarm.yml plus the tests' override
// (swarm.local.yml: ports bound on the node and DNS round robin, since this kernel has no IPVS for
// the routing mesh). Checked through Caddy as a browser would reach it, then `make swarm_down`.
const STACK_LABEL = `com.docker.stack.namespace=${TEST_PROJECT}`;
const CADDY_VOLUMES = ['caddy_data', 'caddy_config'];

let env: Record<string, string>;
let logs: StoredLogs;
let mail: MailCatcherClient;
let initialisedSwarm = false;
/** The bridge `docker swarm init` creates, and `docker swarm leave` leaves behind. */
let removeGatewayBridge = false;
const createdVolumes: string[] = [];
let downDone = false;

const backend = (path: string, body?: unknown) => viaCaddy(env.CADDY_HTTP_PORT!, 'backend', 'POST', path, body);
const listeners = () => containersWith(STACK_LABEL, `com.docker.swarm.service.name=${TEST_PROJECT}_listener-service`);

/** Until no service, container or network of the test's stack is left (docker stack rm returns before). */
async function stackGone(): Promise<void> {
  await waitFor('the stack to be gone: its services, containers and networks', async () => {
    const left = [
      ...lines(await docker('service', 'ls', '--quiet', '--filter', `label=${STACK_LABEL}`)),
      ...lines(await docker('ps', '--all', '--quiet', '--filter', `label=${STACK_LABEL}`)),
      ...lines(await docker('network', 'ls', '--quiet', '--filter', `label=${STACK_LABEL}`)),
    ];
    return left.length === 0;
  }, 180_000);
}

beforeAll(async () => {
  const swarm = await docker('info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}');
  if (swarm.startsWith('inactive')) {
    removeGatewayBridge = (await run('docker', ['network', 'inspect', 'docker_gwbridge'], { check: false })).code !== 0;
    const init = await run('docker', ['swarm', 'init'], { check: false });
    if (init.code !== 0) throw new Error(`docker swarm init failed; on a machine with several addresses, run it yourself with --advertise-addr:\n${init.output}`);
    initialisedSwarm = true;
  } else if (swarm !== 'active true') {
    throw new Error(`this node's swarm state is "${swarm}": the test deploys a stack, which needs a swarm manager (docker swarm init, or leave the swarm it is a worker of)`);
  }

  const ports = await choosePorts('CADDY_HTTP_PORT', 'CADDY_HTTPS_PORT', 'MAIL_UI_PORT', 'MONGO_HOST_PORT', 'PROMETHEUS_PORT', 'JAEGER_UI_PORT');
  env = { TAG: TEST_TAG, STACK_NAME: TEST_PROJECT, SWARM_OVERRIDE: 'tests/containers/swarm.local.yml', ...ports };
  // A stack a stopped run left behind goes first.
  if (lines(await docker('service', 'ls', '--quiet', '--filter', `label=${STACK_LABEL}`)).length > 0) {
    await make('swarm_down', env);
    await stackGone();
  }

  // Swarm never builds: the images compose built (under the tests' tag), and Caddy's.
  const missing = [];
  for (const image of SERVICE_IMAGES) if ((await run('docker', ['image', 'inspect', image], { check: false })).code !== 0) missing.push(image);
  if (missing.length > 0) await run('offline/stack.sh', ['build'], { env: { TAG: TEST_TAG }, echo: true, timeoutMs: 25 * 60_000 });
  await make('build_caddy', env);
  for (const volume of CADDY_VOLUMES) {
    if ((await run('docker', ['volume', 'inspect', volume], { check: false })).code !== 0) createdVolumes.push(volume);
  }

  await make('swarm_up', env);
  logs = new StoredLogs(`mongodb://admin:password@127.0.0.1:${env.MONGO_HOST_PORT}/?authSource=admin`);
  mail = mailCatcherClient(`http://127.0.0.1:${env.MAIL_UI_PORT}`);
}, 30 * 60_000);

afterAll(async () => {
  await logs?.close();
  if (env !== undefined && !downDone) {
    await make('swarm_down', env, { check: false });
    await stackGone().catch((error: Error) => console.error(error.message));
  }
  // The stack's data (named volumes outlive docker stack rm), and Caddy's volumes if the test made them.
  const volumes = [...lines(await docker('volume', 'ls', '--quiet', '--filter', `label=${STACK_LABEL}`)), ...createdVolumes];
  if (volumes.length > 0) await run('docker', ['volume', 'rm', ...volumes], { check: false });
  if (initialisedSwarm) await docker('swarm', 'leave', '--force');
  if (removeGatewayBridge) await run('docker', ['network', 'rm', 'docker_gwbridge'], { check: false });
}, 5 * 60_000);

describe('make swarm_up', () => {
  it('when deployed, every service runs its replicas, the listener two', async () => {
    const replicas = await waitFor('every service of the stack to run all its replicas', async () => {
      const services = lines(await docker('service', 'ls', '--filter', `label=${STACK_LABEL}`, '--format', '{{.Name}} {{.Replicas}}'));
      const ready = services.length === 13 && services.every((line) => /(\d+)\/\1$/.test(line));
      return ready && Object.fromEntries(services.map((line) => line.replace(`${TEST_PROJECT}_`, '').split(' ') as [string, string]));
    }, 300_000, 2_000);
    expect(replicas['listener-service']).toBe('2/2');
    expect(replicas.caddy).toBe('1/1');
  });

  it('when asked for Host: localhost, Caddy serves the page, which calls the broker at http://backend', async () => {
    const page = await waitFor('Caddy to serve the page', async () => {
      const reply = await viaCaddy(env.CADDY_HTTP_PORT!, 'localhost', 'GET', '/');
      return reply.status === 200 && reply;
    }, 120_000);
    expect(page.text).toContain('Test Broker');
    expect(page.text).toContain('http://backend');
  });

  it('when asked for Host: backend, Caddy passes every call to the broker: a login, a log over RPC, a mail', async () => {
    expect(await backend('/')).toEqual({ status: 200, text: JSON.stringify({ error: false, message: 'Hit the broker' }) });
    // The services find Postgres and the logger by DNS once they answer; the first login may wait for that.
    const login = await waitFor('a login through Caddy', async () => {
      const reply = await backend('/handle', payloads.auth);
      return reply.status === 202 && reply;
    }, 120_000);
    expect(JSON.parse(login.text)).toMatchObject({ error: false, message: 'Authenticated!' });

    const name = uniqueName('swarm-rpc');
    expect((await backend('/handle', payloads.log(name))).status).toBe(202);
    expect(await logs.countsByName([name])).toEqual([1]);

    const subject = uniqueName('swarm-mail');
    expect((await backend('/handle', payloads.mail(subject))).status).toBe(202);
    expect((await mail.waitForMessage((m) => m.subject === subject, 20_000)).to.map((a) => a.address)).toEqual(['you@there.com']);
  });

  it('when Prometheus has scraped the stack, it reports every replica of every service up, both listeners apart', async () => {
    type Up = { metric: { instance: string; service?: string }; value: [number, string] };
    const query = async (promql: string): Promise<Up[]> => {
      const response = await fetch(`http://127.0.0.1:${env.PROMETHEUS_PORT}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => undefined);
      return response?.ok ? ((await response.json()) as { data: { result: Up[] } }).data.result : [];
    };
    // Seven replicas: one of each service, two of the listener; each an address of its own.
    const up = await waitFor('Prometheus to scrape every replica', async () => {
      const found = await query('up{job="go-micro"}');
      return found.length === 7 && found.every((result) => result.value[1] === '1') && found;
    }, 120_000, 2_000);
    expect(new Set(up.map((result) => result.metric.instance)).size).toBe(7);
    const listeners = await query('count(process_start_time_seconds{service="listener-service"})');
    expect(listeners[0]?.value[1]).toBe('2');
  });

  it('when events go through RabbitMQ to the two listener replicas, each is stored once and both take a share', async () => {
    const replicas = await listeners();
    expect(replicas).toHaveLength(2);
    await waitFor('both listener replicas to consume', async () => (await Promise.all(replicas.map(listenerStatus))).every((s) => s?.consuming));
    const before = await Promise.all(replicas.map(listenerStatus));

    const names = Array.from({ length: 40 }, () => uniqueName('swarm-event'));
    const replies = await Promise.all(names.map((name) => backend('/log-rabbit', payloads.log(name, 'one of two replicas'))));
    expect(replies.map((reply) => reply.status)).toEqual(names.map(() => 202));

    await waitFor('every event to be stored', async () => (await logs.countsByName(names)).every((count) => count > 0), 60_000, 250);
    const after = await waitFor('both replicas to have nothing in hand', async () => {
      const statuses = await Promise.all(replicas.map(listenerStatus));
      return statuses.every((s) => s?.inFlight === 0) && statuses;
    });
    const shares = after.map((status, i) => status!.settled - before[i]!.settled);
    console.log(`swarm: ${names.length} events, settled by the replicas: ${shares.join(' and ')}`);
    expect(await logs.countsByName(names)).toEqual(names.map(() => 1));
    expect(shares.every((share) => share > 0), `shares ${shares.join(', ')}`).toBe(true);
  });
});

describe('make swarm_down', () => {
  it('when done, no service, container or network of the stack is left', async () => {
    await make('swarm_down', env);
    downDone = true;
    await stackGone();
  });
});
