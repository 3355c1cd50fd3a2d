import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

/** The machine's RabbitMQ; CI and developers share it, so every test run works in a vhost of its own. */
export const RABBIT_BASE_URL = process.env.TEST_RABBIT_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const RABBIT_USER = new URL(RABBIT_BASE_URL).username || 'guest';

export interface TestVhost {
  name: string;
  /** RABBIT_URL for services under test: the shared node, this vhost. */
  url: string;
  /** Has the server cut every client connection to this vhost (and only this one), as a restart would. */
  closeConnections(): Promise<void>;
  delete(): Promise<void>;
}

// Each call starts an Erlang node and takes a second or two; tests use it only to set up and to cut connections.
const rabbitmqctl = (...args: string[]) => execa('rabbitmqctl', ['--quiet', ...args], { timeout: 60_000 });

/** Creates an empty vhost with a unique name that the test user may use fully; delete() removes it and all in it. */
export async function createTestVhost(prefix = 'gomicro_test'): Promise<TestVhost> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl('set_permissions', '-p', name, RABBIT_USER, '.*', '.*', '.*');
  return {
    name,
    url: `${RABBIT_BASE_URL.replace(/\/+$/, '')}/${encodeURIComponent(name)}`,
    closeConnections: async () => {
      await rabbitmqctl('close_all_connections', '-p', name, '--limit', '100000', 'test cuts the connections');
    },
    delete: async () => {
      await rabbitmqctl('delete_vhost', name);
    },
  };
}
