/**
 * The one error type that reaches a reply: a status and a message fit for the
 * user. Anything else that is thrown answers 500 "internal error".
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const unauthorized = (message: string) => new HttpError(401, message);
export const forbidden = (message: string) => new HttpError(403, message);
export const notFound = (message = 'not found') => new HttpError(404, message);

/** A dependency answered, but not with something we can use. */
export const badGateway = (service: string, detail: string, cause?: unknown) =>
  new HttpError(502, `${service} ${detail}`, { cause });
/** A dependency could not be reached. */
export const serviceUnavailable = (service: string, cause?: unknown) =>
  new HttpError(503, `${service} is unavailable`, { cause });
/** A dependency did not answer in time. */
export const gatewayTimeout = (service: string, cause?: unknown) =>
  new HttpError(504, `${service} did not answer in time`, { cause });
