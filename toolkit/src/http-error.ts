/**
 * The one error type that reaches a reply: a status and a message fit for the
 * user. Anything else that is thrown answers 500 "internal error".
 */
export class HttpError extends Error {
  /** Seconds the caller should wait before trying again; sent as Retry-After (a 429). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const unauthorized = (message: string) => new HttpError(401, message);
export const forbidden = (message: string) => new HttpError(403, message);
export const notFound = (message = 'not found') => new HttpError(404, message);
export const unsupportedMediaType = () => new HttpError(415, 'Content-Type must be application/json');
/** Too many tries: the caller is told how long to wait, in the message and in Retry-After. */
export const tooManyRequests = (what: string, retryAfterSeconds: number) => {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new HttpError(429, `too many ${what}; try again in ${seconds} s`, { retryAfterSeconds: seconds });
};

/*
 * Dependency failures, one mapping for every route and transport (README, "When something is down"):
 * unreachable or down 503, too slow 504, a bad or failed answer 502. The message names the
 * dependency and never carries its address or its driver's words: those go in `cause`, which
 * the error middleware logs with the request id and never sends.
 */

/** A dependency answered, but not with something we can use. */
export const badGateway = (service: string, detail: string, cause?: unknown) =>
  new HttpError(502, `${service} ${detail}`, { cause });
/** A dependency could not be reached. */
export const serviceUnavailable = (service: string, cause?: unknown) =>
  new HttpError(503, `${service} is unavailable`, { cause });
/** A dependency did not answer in time. */
export const gatewayTimeout = (service: string, cause?: unknown) =>
  new HttpError(504, `${service} did not answer in time`, { cause });
