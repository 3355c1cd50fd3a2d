import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcrypt';
import { HttpError } from '@go-micro/toolkit';

/** The bcrypt cost of every new password, as the course's seeded admin has it. */
export const BCRYPT_COST = 12;

/**
 * Who a hash is for, in the order a free core goes to them: logins from an
 * address that has logged in to the account before (its owner, most likely),
 * then other logins, then sign-ups and password resets.
 */
export type Lane = 'known' | 'login' | 'signUp';

export interface PasswordWorkLimits {
  /** Hashes computed at once: one a core; more only share the same cores and make every login slower. */
  concurrency: number;
  /** Logins waiting their turn at most, in each of the two login lanes; one more is refused at once. */
  maxWaiting: number;
  /** How long a login may wait for its turn before it is refused. */
  maxWaitMs: number;
  /**
   * How long a login that finds the queue full is held before its 503. Answered at
   * once, a caller that retries at once (a load tool, a script ignoring Retry-After)
   * turns refusals into a loop that keeps the cores as busy as bcrypt does.
   */
  refusalPauseMs: number;
  /** Sign-ups and password resets hashed at once at most: a share of `concurrency`, so a flood of them leaves cores to logins. */
  signUpConcurrency: number;
  /** Sign-ups and password resets waiting their turn at most. */
  signUpMaxWaiting: number;
  /** How long one may wait for its turn. */
  signUpMaxWaitMs: number;
}

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

const busy = () =>
  new HttpError(503, 'authentication-service is busy; try again in 1 s', { retryAfterSeconds: 1 });

const PRIORITY: readonly Lane[] = ['known', 'login', 'signUp'];

/**
 * bcrypt's work (a quarter second of CPU at cost 12), admitted in turn: as many
 * hashes at once as there are cores, the rest waiting in three lanes (each first
 * come first served, a free core going to the first lane with someone waiting),
 * and beyond what can be done in time a clear 503 with Retry-After, after a
 * short pause and without touching the database or bcrypt. Without the queue, a
 * burst of logins all shared the cores, every one of them got slower, and the
 * callers met their own 5 s timeouts (504s) instead. Without the pause, callers
 * retrying each 503 at once took the cores from the logins admitted
 * (tests/bench/README.md, auth at 50 connections). Without the lanes, a flood of
 * guesses or sign-ups filled the one queue and the owner's login got the 503.
 */
export class PasswordWork {
  private running = 0;
  private runningSignUps = 0;
  private readonly waiting: Record<Lane, Waiter[]> = { known: [], login: [], signUp: [] };

  constructor(private readonly limits: PasswordWorkLimits) {}

  /** A new password's hash: sign-ups and password resets, in their own lane. */
  hash(password: string): Promise<string> {
    return this.run('signUp', () => bcrypt.hash(password, BCRYPT_COST));
  }

  /** A login's comparison, in the lane the login limits chose. */
  compare(password: string, hash: string, lane: 'known' | 'login' = 'login'): Promise<boolean> {
    return this.run(lane, () => bcrypt.compare(password, hash));
  }

  /**
   * Refuses, after the pause, when a hash of `lane` could not even wait its turn:
   * called before the queries, so a flood beyond what bcrypt can do costs next to
   * nothing and leaves the cores to the work already admitted.
   */
  async refuseWhenFull(lane: Lane = 'login'): Promise<void> {
    if (this.full(lane)) await this.refuse();
  }

  /** How many wait now, in every lane; for the tests and the log. */
  get queued(): number {
    return PRIORITY.reduce((sum, lane) => sum + this.waitingIn(lane), 0);
  }

  /** How many wait now in `lane`. */
  waitingIn(lane: Lane): number {
    return this.waiting[lane].length;
  }

  private async run<T>(lane: Lane, work: () => Promise<T>): Promise<T> {
    await this.turn(lane);
    try {
      return await work();
    } finally {
      this.done(lane);
    }
  }

  private canStart(lane: Lane): boolean {
    return this.running < this.limits.concurrency && (lane !== 'signUp' || this.runningSignUps < this.limits.signUpConcurrency);
  }

  private full(lane: Lane): boolean {
    const maxWaiting = lane === 'signUp' ? this.limits.signUpMaxWaiting : this.limits.maxWaiting;
    return !this.canStart(lane) && this.waiting[lane].length >= maxWaiting;
  }

  /** The 503, once the pause is over; a timer is all a refused request holds meanwhile. */
  private async refuse(): Promise<never> {
    if (this.limits.refusalPauseMs > 0) await sleep(this.limits.refusalPauseMs);
    throw busy();
  }

  private start(lane: Lane): void {
    this.running++;
    if (lane === 'signUp') this.runningSignUps++;
  }

  private turn(lane: Lane): Promise<void> {
    if (this.canStart(lane) && this.waiting[lane].length === 0) {
      this.start(lane);
      return Promise.resolve();
    }
    if (this.full(lane)) return this.refuse();
    const queue = this.waiting[lane];
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(
          () => {
            queue.splice(queue.indexOf(waiter), 1);
            reject(busy());
          },
          lane === 'signUp' ? this.limits.signUpMaxWaitMs : this.limits.maxWaitMs,
        ),
      };
      queue.push(waiter);
    });
  }

  /** Frees the finished hash's place and hands free places to the first lanes with someone waiting. */
  private done(lane: Lane): void {
    this.running--;
    if (lane === 'signUp') this.runningSignUps--;
    for (const next of PRIORITY) {
      while (this.waiting[next].length > 0 && this.canStart(next)) {
        const waiter = this.waiting[next].shift()!;
        clearTimeout(waiter.timer);
        this.start(next);
        waiter.admit();
      }
    }
  }
}

/**
 * The defaults: a hash per core; about two seconds of work waiting in each login lane (8 hashes a core at
 * cost 12), for at most 2 s; refusals after half a second (Retry-After says 1 s); sign-ups on at most half
 * the cores (one at least), 4 a core waiting, for at most 3 s.
 */
export const defaultPasswordWorkLimits = (): PasswordWorkLimits => {
  const cores = availableParallelism();
  return {
    concurrency: cores,
    maxWaiting: cores * 8,
    maxWaitMs: 2_000,
    refusalPauseMs: 500,
    signUpConcurrency: Math.max(1, Math.floor(cores / 2)),
    signUpMaxWaiting: cores * 4,
    signUpMaxWaitMs: 3_000,
  };
};
