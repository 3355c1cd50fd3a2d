import type { Express } from 'express';
import { jsonBody } from '@go-micro/toolkit';
import { handlers, type BrokerDeps } from './handlers.js';

export function mountRoutes(app: Express, deps: BrokerDeps): void {
  const h = handlers(deps);
  app.post('/', h.broker);
  app.post('/handle', jsonBody(), h.handleSubmission);
  app.post('/log-grpc', jsonBody(), h.logVia('grpc', 'logged'));
  app.post('/log-rabbit', jsonBody(), h.logVia('rabbit', 'logged via RabbitMQ'));
  app.post('/log-http', jsonBody(), h.logVia('http', 'logged'));
}
