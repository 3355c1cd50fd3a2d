import type { Response } from 'express';

/** The one reply shape of every service: `{ error, message, data? }`. */
export interface Envelope<T = unknown> {
  error: boolean;
  message: string;
  data?: T;
}

/** Writes a success envelope; `data` is left out when it is undefined, as the course did. */
export function reply<T>(res: Response, status: number, message: string, data?: T): void {
  const body: Envelope<T> = { error: false, message };
  if (data !== undefined) body.data = data;
  res.status(status).json(body);
}

/** Writes a failure envelope. Only the error middleware should call this. */
export function replyError(res: Response, status: number, message: string): void {
  const body: Envelope = { error: true, message };
  res.status(status).json(body);
}
