import type { Request, Response } from 'express';
import { badRequest, reply, validate, type ServiceClient } from '@go-micro/toolkit';
import { authenticate, sendMail, type LogSink } from './downstream.js';
import { handleRequests, logRequest, requestPayload } from './payloads.js';

export interface BrokerDeps {
  authService: ServiceClient;
  mailService: ServiceClient;
  /** The four ways a log entry travels, as the course taught them. */
  logVia: { rpc: LogSink; grpc: LogSink; rabbit: LogSink; http: LogSink };
}

export function handlers(deps: BrokerDeps) {
  return {
    /** POST / : the page's "Test Broker" button. */
    broker: (_req: Request, res: Response) => reply(res, 200, 'Hit the broker'),

    /** POST /handle : one entry point, dispatched on `action`. */
    handleSubmission: async (req: Request, res: Response) => {
      const { action } = validate(requestPayload, req.body);
      switch (action) {
        case 'auth': {
          const { auth } = validate(handleRequests.auth, req.body);
          const user = await authenticate(deps.authService, auth);
          reply(res, 202, 'Authenticated!', user);
          return;
        }
        case 'log': {
          const { log } = validate(handleRequests.log, req.body);
          const result = await deps.logVia.rpc.log(log);
          reply(res, 202, result);
          return;
        }
        case 'mail': {
          const { mail } = validate(handleRequests.mail, req.body);
          await sendMail(deps.mailService, mail);
          reply(res, 202, `Message sent to ${mail.to}`);
          return;
        }
        default:
          throw badRequest('unknown action');
      }
    },

    /** POST /log-grpc, /log-rabbit, /log-http : the same log entry over another transport. */
    logVia: (transport: 'grpc' | 'rabbit' | 'http', message: string) => async (req: Request, res: Response) => {
      const { log } = validate(logRequest, req.body);
      await deps.logVia[transport].log(log);
      reply(res, 202, message);
    },
  };
}
