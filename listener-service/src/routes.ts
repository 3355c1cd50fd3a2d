import type { Express } from 'express';
import { HttpError, reply, serviceUnavailable } from '@go-micro/toolkit';
import type { ConsumerStatus } from '@go-micro/toolkit/queue';

/** Throws 503 unless connected to RabbitMQ and consuming: the listener is ready only then. */
export function consuming(now: ConsumerStatus): ConsumerStatus {
  if (!now.connected) throw serviceUnavailable('RabbitMQ');
  if (!now.consuming) throw new HttpError(503, `not consuming from ${now.queue}`);
  return now;
}

export function mountRoutes(app: Express, status: () => ConsumerStatus): void {
  /** 200 with the counters only while connected to RabbitMQ and consuming; /ready gives the same verdict. */
  app.get('/health', (_req, res) => {
    reply(res, 200, 'connected and consuming', consuming(status()));
  });
}
