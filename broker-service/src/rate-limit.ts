import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from '@go-micro/toolkit';

/** Takes one try for `key`, or throws 429 with the seconds to wait. */
export interface RateLimit {
  consume(key: string): Promise<void>;
}

/**
 * At most `perMinute` tries per key per minute, counted in this process. The
 * broker keeps no store of its own: with N replicas a client gets up to N
 * times this, which still bounds a flood; logins, which need an exact count
 * across replicas, are limited in Postgres by the authentication service.
 */
export function perMinute(what: string, perMinute: number): RateLimit {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return {
    consume: async (key) => {
      try {
        await limiter.consume(key);
      } catch (refused) {
        if (refused instanceof RateLimiterRes) throw tooManyRequests(what, refused.msBeforeNext / 1000);
        throw refused;
      }
    },
  };
}
