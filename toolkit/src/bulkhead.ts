import { HttpError } from './http-error.js';
import { outboundInFlight, outboundRefused } from './metrics.js';

/**
 * At most `limit` calls in flight to one dependency; one more is refused at
 * once with 503 "<name> is busy" and Retry-After. Without it, requests waiting
 * on one slow service held every connection of the caller, and routes that
 * never touch that service went unanswered. Calls through every transport to
 * the same service share one bulkhead.
 */
export class Bulkhead {
  private inFlight = 0;
  private readonly gauge;
  private readonly refused;

  constructor(
    readonly name: string,
    readonly limit: number,
  ) {
    this.gauge = outboundInFlight().labels(name);
    this.refused = outboundRefused().labels(name);
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.limit) {
      this.refused.inc();
      throw new HttpError(503, `${this.name} is busy; try again in 1 s`, { retryAfterSeconds: 1 });
    }
    this.inFlight++;
    this.gauge.inc();
    try {
      return await call();
    } finally {
      this.inFlight--;
      this.gauge.dec();
    }
  }
}
