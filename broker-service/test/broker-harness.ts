import { createLogger } from '@go-micro/toolkit';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createApp } from '../src/app.js';
import { perMinute } from '../src/rate-limit.js';
import { connectUpstreams } from '../src/upstreams.js';

/** Where the broker under test finds the others; anything left out points where nothing listens. */
export interface BrokerTargets {
  loggerUrl?: string;
  rpcAddress?: string;
  grpcAddress?: string;
  rabbitUrl?: string;
  authUrl?: string;
  mailUrl?: string;
  timeoutMs?: number;
  /** Mails one client may send per minute (10, as by default). */
  mailPerMinute?: number;
  /** Calls in flight to one dependency (64, as by default). */
  maxInFlight?: number;
}

const NOWHERE = '127.0.0.1:9';

/** A real broker in this process, wired as main.ts wires it. */
export async function startBroker(targets: BrokerTargets): Promise<RunningApp> {
  const logger = createLogger('broker-service', { level: 'silent', pretty: false });
  const upstreams = connectUpstreams(
    {
      authUrl: targets.authUrl ?? `http://${NOWHERE}`,
      mailUrl: targets.mailUrl ?? `http://${NOWHERE}`,
      loggerUrl: targets.loggerUrl ?? `http://${NOWHERE}`,
      rpcAddress: targets.rpcAddress ?? NOWHERE,
      grpcAddress: targets.grpcAddress ?? NOWHERE,
      rabbitUrl: targets.rabbitUrl ?? `amqp://guest:guest@${NOWHERE}`,
      timeoutMs: targets.timeoutMs ?? 5_000,
      maxInFlight: targets.maxInFlight ?? 64,
    },
    logger,
  );
  const app = await startApp(createApp(logger, { ...upstreams, mailLimit: perMinute('mails', targets.mailPerMinute ?? 10) }));
  const { rpc, grpc, rabbit } = upstreams.logTransports;
  return {
    ...app,
    close: async () => {
      await app.close();
      rpc.close();
      grpc.close();
      await rabbit.close();
    },
  };
}

/** The body the page's log buttons send. */
export const logBody = (name: string, data = 'some data') => ({ action: 'log', log: { name, data } });
