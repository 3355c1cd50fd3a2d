import type { Response } from 'express';

/** The one reply shape of every service: `{ error, message, data? }`. */
export interface Envelope<T = unknown> {
  error: boolean;
  message: string;
  data?: T;
}

/**
 * Sends an envelope as JSON. Written straight to Node's response rather than
 * through Express's res.json, which looks the content type up, checks
 * freshness and converts the body twice for every reply: the same bytes and
 * headers (Node adds Content-Length, and leaves the body out for HEAD) at a
 * fraction of the cost, on every route of every service.
 */
function send(res: Response, status: number, body: Envelope): void {
  const json = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(json);
}

/** Writes a success envelope; `data` is left out when it is undefined, as the course did. */
export function reply<T>(res: Response, status: number, message: string, data?: T): void {
  const body: Envelope<T> = { error: false, message };
  if (data !== undefined) body.data = data;
  send(res, status, body);
}

/** Writes a failure envelope. Only the error middleware should call this. */
export function replyError(res: Response, status: number, message: string): void {
  send(res, status, { error: true, message });
}
