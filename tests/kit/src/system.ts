import { join } from 'node:path';
import { freePorts } from './free-port.js';
import { startFerretDB, type FerretDB, type MongoServer } from './ferretdb.js';
import { startMailCatcher, type MailCatcher, type SharedMailCatcher } from './mail-catcher.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { createTestVhost, type TestVhost } from './rabbitmq.js';
import { startService, type ServiceProcess } from './service-process.js';
import type { ServiceName } from './services.js';

export type { ServiceName };

// Dependencies first, so nothing starts by waiting for another service.
const startOrder: ServiceName[][] = [['logger', 'mail'], ['authentication', 'listener', 'broker', 'front-end']];

export interface SystemOptions {
  /** The services to run; all six by default. The others' addresses lead nowhere. */
  services?: readonly ServiceName[];
  /** How many processes of a service to run side by side (listener replicas on one queue); one by default. */
  replicas?: Partial<Record<ServiceName, number>>;
  /** A MongoDB-protocol server to use (the run's shared FerretDB); by default the system starts its own. */
  mongo?: MongoServer;
  /** A mail catcher to use (the run's shared Mailpit); by default the system starts its own. */
  mail?: SharedMailCatcher;
  /** Services to wait for only until they are alive (/ping), not ready: a test that starts one without its dependency. */
  aliveOnly?: readonly ServiceName[];
  /** More environment for a service, over what compose would set (LOG_LEVEL, a proxied MONGO_URL, shorter retries). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** A directory where each service's log lines go (`<name>.log`), instead of this process (the benchmark's). */
  logDir?: string;
  /** The `node` binary the services run under; this process's own by default. */
  node?: string;
}

/** The system, running natively as `make dev` runs it, on free ports, with a database and vhost of its own. */
export interface System {
  pageUrl: string;
  brokerUrl: string;
  /** The logger's JSON-RPC and gRPC ports, on 127.0.0.1. */
  rpcPort: number;
  grpcPort: number;
  mongo: MongoServer;
  mail: SharedMailCatcher;
  /** The Postgres database the authentication service uses. */
  database: TestDatabase;
  /** The RabbitMQ vhost the broker and listeners use. */
  vhost: TestVhost;
  /** The HTTP address of a service (or of one of its replicas). */
  url(name: ServiceName, replica?: number): string;
  /** The process of a service while it runs, to read its output. */
  process(name: ServiceName, replica?: number): ServiceProcess | undefined;
  /** Stops one service (SIGTERM, as `docker stop` would); resolves with its exit code, null if it had to be killed. */
  stop(name: ServiceName, replica?: number): Promise<number | null>;
  /** Starts it again with the same environment and port (and `env` over it), once it answers its health check. */
  start(name: ServiceName, replica?: number, env?: Record<string, string>): Promise<void>;
  shutdown(): Promise<void>;
  /** The process id of each running service, for measuring it from outside (the benchmark reads its memory). */
  pids(): Partial<Record<ServiceName, number>>;
}


export async function startSystem(options: SystemOptions = {}): Promise<System> {
  const wanted = new Set(options.services ?? startOrder.flat());
  const replicasOf = (name: ServiceName) => (wanted.has(name) ? (options.replicas?.[name] ?? 1) : 1);
  const [db, vhost, ownMongo, ownMail] = await startAllOrNone([
    createTestDatabase(),
    createTestVhost(),
    options.mongo ? undefined : startFerretDB(),
    options.mail ? undefined : startMailCatcher(),
  ] as const);
  const mongo: MongoServer = options.mongo ?? ownMongo!;
  const mail: SharedMailCatcher = options.mail ?? ownMail!;

  const names = startOrder.flat();
  const ports = await freePorts(names.reduce((sum, name) => sum + replicasOf(name), 2));
  const [rpc, grpc] = [ports.pop()!, ports.pop()!];
  const portOf = new Map(names.map((name) => [name, Array.from({ length: replicasOf(name) }, () => ports.pop()!)]));
  const url = (name: ServiceName, replica = 0) => `http://127.0.0.1:${portOf.get(name)![replica]}`;

  // The same variables compose sets, with this machine's addresses.
  const envOf: Record<ServiceName, Record<string, string>> = {
    logger: { MONGO_URL: mongo.url, RPC_PORT: `${rpc}`, GRPC_PORT: `${grpc}`, AUTH_SERVICE_URL: url('authentication') },
    authentication: { DSN: db.url, LOGGER_SERVICE_URL: url('logger'), RABBIT_URL: vhost.url },
    listener: { RABBIT_URL: vhost.url, LOGGER_SERVICE_URL: url('logger') },
    // Its table of welcomed sign-ups sits in the same database as the users, as in compose.
    mail: { MAIL_HOST: mail.smtpHost, MAIL_PORT: `${mail.smtpPort}`, DSN: db.url, RABBIT_URL: vhost.url },
    broker: {
      AUTH_SERVICE_URL: url('authentication'),
      LOGGER_SERVICE_URL: url('logger'),
      MAIL_SERVICE_URL: url('mail'),
      LOGGER_RPC_ADDR: `127.0.0.1:${rpc}`,
      LOGGER_GRPC_ADDR: `127.0.0.1:${grpc}`,
      RABBIT_URL: vhost.url,
      // The page is served from the front end's port here, not 8081.
      CORS_ORIGINS: url('front-end'),
    },
    'front-end': { BROKER_URL: url('broker') },
  };

  const running = new Map<string, ServiceProcess>();
  const key = (name: ServiceName, replica: number) => `${name}#${replica}`;
  const start = async (name: ServiceName, replica = 0, extraEnv: Record<string, string> = {}) => {
    const label = replicasOf(name) > 1 ? `${name}-${replica}` : name;
    const service = await startService(name, {
      port: portOf.get(name)![replica]!,
      env: { ...envOf[name], ...options.env?.[name], ...extraEnv },
      label,
      // Ready (its own dependency answers, the listener consumes), or only alive.
      health: options.aliveOnly?.includes(name) ? '/ping' : '/ready',
      stdoutFile: options.logDir === undefined ? undefined : join(options.logDir, `${label}.log`),
      node: options.node,
    });
    running.set(key(name, replica), service);
  };
  const stop = async (name: ServiceName, replica = 0) => {
    const service = running.get(key(name, replica));
    running.delete(key(name, replica));
    return (await service?.stop()) ?? null;
  };
  const shutdown = async () => {
    await Promise.allSettled([...running.values()].map((service) => service.stop()));
    running.clear();
    await Promise.allSettled([ownMongo?.stop(), ownMail?.stop(), vhost.delete(), db.drop()]);
  };

  try {
    for (const group of startOrder) {
      const starting = group.filter((name) => wanted.has(name));
      await Promise.all(starting.flatMap((name) => Array.from({ length: replicasOf(name) }, (_, replica) => start(name, replica))));
    }
  } catch (err) {
    await shutdown();
    throw err;
  }

  return {
    pageUrl: url('front-end'),
    brokerUrl: url('broker'),
    rpcPort: rpc,
    grpcPort: grpc,
    mongo,
    mail,
    database: db,
    vhost,
    url,
    process: (name, replica = 0) => running.get(key(name, replica)),
    stop,
    start,
    shutdown,
    pids: () =>
      Object.fromEntries(names.flatMap((name) => {
        const pid = running.get(key(name, 0))?.pid;
        return pid === undefined ? [] : [[name, pid]];
      })),
  };
}

type Started = TestDatabase | TestVhost | FerretDB | MailCatcher | undefined;

/** Like Promise.all, but when one fails it removes the ones that did start, so nothing is left on the shared servers. */
async function startAllOrNone<T extends readonly (Promise<Started> | undefined)[]>(starting: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(starting);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failure) return results.map((r) => (r as PromiseFulfilledResult<Started>).value) as never;
  await Promise.allSettled(
    results
      .flatMap((r) => (r.status === 'fulfilled' && r.value !== undefined ? [r.value] : []))
      .map((thing) => ('drop' in thing ? thing.drop() : 'delete' in thing ? thing.delete() : thing.stop())),
  );
  throw failure.reason;
}

export type { TestDatabase, TestVhost };
