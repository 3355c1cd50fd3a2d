import type { Express } from 'express';
import { HttpError, reply, serviceUnavailable } from '@go-micro/toolkit';
import type { ConsumerStatus } from '@go-micro/toolkit/queue';

export function mountRoutes(app: Express, status: () => ConsumerStatus): void {
  /** 200 only while connected to RabbitMQ and consuming; orchestrators restart a replica that stays 503. */
  app.get('/health', (_req, res) => {
    const now = status();
    if (!now.connected) throw serviceUnavailable('RabbitMQ');
    if (!now.consuming) throw new HttpError(503, `not consuming from ${now.queue}`);
    reply(res, 200, 'connected and consuming', now);
  });
}
