import type { Express } from 'express';
import { jsonBody } from '@go-micro/toolkit';
import { handlers, type BrokerDeps } from './handlers.js';

export function mountRoutes(app: Express, deps: BrokerDeps): void {
  const h = handlers(deps);
  const { grpc, rabbit, http } = deps.logTransports;
  app.post('/', h.broker);
  app.post('/handle', jsonBody(), h.handleSubmission);
  app.post('/log-grpc', jsonBody(), h.logThrough(grpc));
  app.post('/log-rabbit', jsonBody(), h.logThrough(rabbit));
  app.post('/log-http', jsonBody(), h.logThrough(http));
}
