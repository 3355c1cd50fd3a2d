import { createLogger } from '@go-micro/toolkit';
import { ServiceClient } from '@go-micro/toolkit/client';
import { startApp, type RunningApp } from '@go-micro/testkit/http.js';
import { createApp } from '../src/app.js';
import { GrpcLog } from '../src/log-grpc.js';
import { HttpLog } from '../src/log-http.js';
import { RabbitLog } from '../src/log-rabbit.js';
import { RpcLog } from '../src/log-rpc.js';
import { perMinute } from '../src/rate-limit.js';

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
}

const NOWHERE = '127.0.0.1:9';

/** A real broker in this process, wired as main.ts wires it. */
export async function startBroker(targets: BrokerTargets): Promise<RunningApp> {
  const logger = createLogger('broker-service', { level: 'silent', pretty: false });
  const timeoutMs = targets.timeoutMs ?? 5_000;
  const client = (name: string, baseUrl: string) => new ServiceClient({ name, baseUrl, timeoutMs });
  const rpc = new RpcLog({ address: targets.rpcAddress ?? NOWHERE, timeoutMs, logger });
  const grpc = new GrpcLog({ address: targets.grpcAddress ?? NOWHERE, timeoutMs });
  const rabbit = new RabbitLog({ url: targets.rabbitUrl ?? `amqp://guest:guest@${NOWHERE}`, timeoutMs, logger });
  const app = await startApp(
    createApp(logger, {
      authService: client('authentication-service', targets.authUrl ?? `http://${NOWHERE}`),
      mailService: client('mail-service', targets.mailUrl ?? `http://${NOWHERE}`),
      logTransports: { rpc, grpc, rabbit, http: new HttpLog(client('logger-service', targets.loggerUrl ?? `http://${NOWHERE}`), timeoutMs) },
      mailLimit: perMinute('mails', targets.mailPerMinute ?? 10),
    }),
  );
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
