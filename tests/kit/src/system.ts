import { freePorts } from './free-port.js';
import { startFerretDB, type FerretDB } from './ferretdb.js';
import { startMailCatcher, type MailCatcher } from './mail-catcher.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { createTestVhost, type TestVhost } from './rabbitmq.js';
import { startService, type ServiceProcess } from './service-process.js';

export type ServiceName = 'authentication' | 'logger' | 'listener' | 'mail' | 'broker' | 'front-end';

/** The whole system, running natively as `make dev` runs it, on free ports, with infrastructure of its own. */
export interface System {
  pageUrl: string;
  brokerUrl: string;
  mongo: FerretDB;
  mail: MailCatcher;
  /** Stops one service (SIGTERM, as `docker stop` would). */
  stop(name: ServiceName): Promise<void>;
  /** Starts it again with the same environment and port, once it answers /ping. */
  start(name: ServiceName): Promise<void>;
  shutdown(): Promise<void>;
  /** The process id of each running service, for measuring it from outside (the benchmark reads its memory). */
  pids(): Partial<Record<ServiceName, number>>;
}

interface ServiceSpec {
  dir: string;
  port: number;
  env: Record<string, string>;
}

export async function startSystem(): Promise<System> {
  const [db, vhost, mongo, mail] = await startAllOrNone([createTestDatabase(), createTestVhost(), startFerretDB(), startMailCatcher()] as const);
  const [auth, logger, rpc, grpc, listener, mailer, broker, page] = await freePorts(8);
  const url = (port: number) => `http://127.0.0.1:${port}`;

  // The same variables compose sets, with this machine's addresses.
  const specs: Record<ServiceName, ServiceSpec> = {
    logger: { dir: 'logger-service', port: logger!, env: { MONGO_URL: mongo.url, RPC_PORT: `${rpc}`, GRPC_PORT: `${grpc}` } },
    authentication: { dir: 'authentication-service', port: auth!, env: { DSN: db.url, LOGGER_SERVICE_URL: url(logger!) } },
    listener: { dir: 'listener-service', port: listener!, env: { RABBIT_URL: vhost.url, LOGGER_SERVICE_URL: url(logger!) } },
    mail: { dir: 'mail-service', port: mailer!, env: { MAIL_HOST: mail.smtpHost, MAIL_PORT: `${mail.smtpPort}` } },
    broker: {
      dir: 'broker-service',
      port: broker!,
      env: {
        AUTH_SERVICE_URL: url(auth!),
        LOGGER_SERVICE_URL: url(logger!),
        MAIL_SERVICE_URL: url(mailer!),
        LOGGER_RPC_ADDR: `127.0.0.1:${rpc}`,
        LOGGER_GRPC_ADDR: `127.0.0.1:${grpc}`,
        RABBIT_URL: vhost.url,
      },
    },
    'front-end': { dir: 'front-end', port: page!, env: { BROKER_URL: url(broker!) } },
  };

  const running = new Map<ServiceName, ServiceProcess>();
  const start = async (name: ServiceName) => {
    const { dir, port, env } = specs[name];
    running.set(name, await startService(name, dir, { ...env, PORT: `${port}` }, `${url(port)}/ping`));
  };
  const stop = async (name: ServiceName) => {
    await running.get(name)?.stop();
    running.delete(name);
  };
  const shutdown = async () => {
    await Promise.allSettled([...running.keys()].map(stop));
    await Promise.allSettled([mongo.stop(), mail.stop(), vhost.delete(), db.drop()]);
  };

  try {
    // Dependencies first, so nothing starts by waiting for another service.
    await Promise.all([start('logger'), start('mail')]);
    await Promise.all([start('authentication'), start('listener'), start('broker'), start('front-end')]);
  } catch (err) {
    await shutdown();
    throw err;
  }

  const pids = () => Object.fromEntries([...running].map(([name, service]) => [name, service.pid]));
  return { pageUrl: url(page!), brokerUrl: url(broker!), mongo, mail, stop, start, shutdown, pids };
}

type Started = TestDatabase | TestVhost | FerretDB | MailCatcher;

/** Like Promise.all, but when one fails it removes the ones that did start, so nothing is left on the shared servers. */
async function startAllOrNone<T extends readonly Promise<Started>[]>(starting: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(starting);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failure) return results.map((r) => (r as PromiseFulfilledResult<Started>).value) as never;
  await Promise.allSettled(
    results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])).map((thing) => ('drop' in thing ? thing.drop() : 'delete' in thing ? thing.delete() : thing.stop())),
  );
  throw failure.reason;
}

export type { TestDatabase, TestVhost };
