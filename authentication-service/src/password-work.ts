import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcrypt';
import { HttpError } from '@go-micro/toolkit';
import { BCRYPT_COST } from './users-store.js';

export interface PasswordWorkLimits {
  /** Hashes computed at once: one a core; more only share the same cores and make every login slower. */
  concurrency: number;
  /** Logins waiting their turn at most; one more is refused at once. */
  maxWaiting: number;
  /** How long a login may wait for its turn before it is refused. */
  maxWaitMs: number;
  /**
   * How long a login that finds the queue full is held before its 503. Answered at
   * once, a caller that retries at once (a load tool, a script ignoring Retry-After)
   * turns refusals into a loop that keeps the cores as busy as bcrypt does.
   */
  refusalPauseMs: number;
}

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

const busy = () =>
  new HttpError(503, 'authentication-service is busy; try again in 1 s', { retryAfterSeconds: 1 });

/**
 * bcrypt's work (a quarter second of CPU at cost 12), admitted in turn: as many
 * hashes at once as there are cores, the rest waiting first come first served,
 * and beyond what can be done in time a clear 503 with Retry-After, after a
 * short pause and without touching the database or bcrypt. Without the queue, a
 * burst of logins all shared the cores, every one of them got slower, and the
 * callers met their own 5 s timeouts (504s) instead. Without the pause, 50
 * callers retrying each 503 at once made 1,400 refusals a second, and the
 * broker, the load tool and this service's own thread took half the cores from
 * the logins admitted (tests/bench/README.md, auth at 50 connections).
 */
export class PasswordWork {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: PasswordWorkLimits) {}

  hash(password: string): Promise<string> {
    return this.run(() => bcrypt.hash(password, BCRYPT_COST));
  }

  compare(password: string, hash: string): Promise<boolean> {
    return this.run(() => bcrypt.compare(password, hash));
  }

  /**
   * Refuses, after the pause, when a hash could not even wait its turn: called
   * before a login's queries, so a flood beyond what bcrypt can do costs next to
   * nothing and leaves the cores to the logins already admitted.
   */
  async refuseWhenFull(): Promise<void> {
    if (this.full()) await this.refuse();
  }

  /** How many wait now; for the tests and the log. */
  get queued(): number {
    return this.waiting.length;
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    await this.turn();
    try {
      return await work();
    } finally {
      this.next();
    }
  }

  private full(): boolean {
    return this.running >= this.limits.concurrency && this.waiting.length >= this.limits.maxWaiting;
  }

  /** The 503, once the pause is over; a timer is all a refused login holds meanwhile. */
  private async refuse(): Promise<never> {
    if (this.limits.refusalPauseMs > 0) await sleep(this.limits.refusalPauseMs);
    throw busy();
  }

  private turn(): Promise<void> {
    if (this.running < this.limits.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.maxWaiting) return this.refuse();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(busy());
        }, this.limits.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /** Hands the finished hash's place to the longest waiting login, or frees it. */
  private next(): void {
    const waiter = this.waiting.shift();
    if (!waiter) {
      this.running--;
      return;
    }
    clearTimeout(waiter.timer);
    waiter.admit();
  }
}

/** The defaults: a hash per core; about two seconds of work waiting (8 hashes a core at cost 12), for at most 2 s; refusals after half a second (Retry-After says 1 s). */
export const defaultPasswordWorkLimits = (): PasswordWorkLimits => {
  const cores = availableParallelism();
  return { concurrency: cores, maxWaiting: cores * 8, maxWaitMs: 2_000, refusalPauseMs: 500 };
};
