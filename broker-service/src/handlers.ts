import type { Request, Response } from 'express';
import { IDEMPOTENCY_KEY_HEADER, readIdempotencyKey } from '@go-micro/contracts';
import { badGateway, HttpError, labelAction, reply, validate } from '@go-micro/toolkit';
import type { ServiceClient } from '@go-micro/toolkit/client';
import type { LogTransport } from './log-transport.js';
import { logRequest, readHandleRequest } from './payloads.js';
import type { RateLimit } from './rate-limit.js';

export interface BrokerDeps {
  authService: ServiceClient;
  mailService: ServiceClient;
  /** The four ways a log entry reaches logger-service, as the course taught them. */
  logTransports: { rpc: LogTransport; grpc: LogTransport; rabbit: LogTransport; http: LogTransport };
  /** How many mails one client address may send (the broker is the only way in for an anonymous page). */
  mailLimit: RateLimit;
}

/**
 * The client's address as the broker sees it (Express takes it from
 * X-Forwarded-For only when the hop that sent it is a trusted proxy), passed on
 * so the authentication service limits logins and sign-ups per client, not per broker.
 */
const forwardedFor = (req: Request) => ({ headers: { 'x-forwarded-for': req.ip ?? req.socket.remoteAddress ?? 'unknown' } });

/** The client's Idempotency-Key, passed to the logger on every transport, so a retry after a 503 or 504 stores one entry. */
const idempotency = (req: Request) => ({ idempotencyKey: readIdempotencyKey(req.headers[IDEMPOTENCY_KEY_HEADER]) });

export function handlers(deps: BrokerDeps) {
  return {
    /** POST / : the page's "Test Broker" button. */
    broker: (_req: Request, res: Response) => reply(res, 200, 'Hit the broker'),

    /** POST /handle : one entry point, dispatched on `action`. */
    handleSubmission: async (req: Request, res: Response) => {
      const request = readHandleRequest(req.body);
      // Its latency series per action: a login's bcrypt and a log's insert are not one distribution.
      labelAction(req, request.action);
      switch (request.action) {
        case 'auth': {
          // The user comes back as authentication-service sent it; the broker passes it on untouched.
          const { data: user } = await deps.authService.call('/authenticate', request.auth, forwardedFor(req));
          if (!user) throw badGateway(deps.authService.name, 'gave a bad answer (no user)');
          reply(res, 202, 'Authenticated!', user);
          return;
        }
        case 'log':
          reply(res, 202, await deps.logTransports.rpc.log(request.log, idempotency(req)));
          return;
        case 'mail':
          await deps.mailLimit.consume(req.ip ?? req.socket.remoteAddress ?? 'unknown');
          await deps.mailService.call('/send', request.mail, forwardedFor(req));
          reply(res, 202, `Message sent to ${request.mail.to}`);
          return;
        case 'register': {
          // 202 at once: the welcome mail goes through the queue, whatever the mail server is doing.
          const { message, data } = await deps.authService.call('/register', request.register, forwardedFor(req));
          reply(res, 202, message, data);
          return;
        }
        case 'welcome': {
          // "Not yet" is an answer, not a failure: 200 with sent false, so a page asking every half second logs no error.
          const { event_id: eventId } = request.welcome;
          const { status, envelope } = await deps.mailService.get<{ email: string }>(`/welcome-mails/${encodeURIComponent(eventId)}`);
          if (status === 404) {
            reply(res, 200, 'no welcome mail sent yet', { event_id: eventId, sent: false });
            return;
          }
          if (envelope.error) throw new HttpError(status, envelope.message);
          if (!envelope.data) throw badGateway(deps.mailService.name, 'gave a bad answer (no mail)');
          reply(res, 200, `Welcome mail sent to ${envelope.data.email}`, { ...envelope.data, sent: true });
          return;
        }
      }
    },

    /** POST /log-grpc, /log-rabbit, /log-http : the same log entry through another transport. */
    logThrough: (transport: LogTransport) => async (req: Request, res: Response) => {
      const { log } = validate(logRequest, req.body);
      reply(res, 202, await transport.log(log, idempotency(req)));
    },
  };
}
