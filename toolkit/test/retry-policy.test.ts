import { describe, expect, it } from 'vitest';
import { failedAttempts, nextStep } from '../src/retry-policy.js';

const policy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 5_000 };

describe('retry policy', () => {
  it('when tries keep failing, waits twice as long each time, up to the cap, then gives up', () => {
    expect([1, 2, 3, 4, 5].map((failed) => nextStep(policy, failed))).toEqual([
      { retryInMs: 1_000 },
      { retryInMs: 2_000 },
      { retryInMs: 4_000 },
      { retryInMs: 5_000 },
      { giveUp: true },
    ]);
  });

  it('when the attempts header is missing or not a positive whole number, counts no failed tries', () => {
    expect([undefined, {}, { 'x-attempts': 'x' }, { 'x-attempts': -2 }, { 'x-attempts': 1.5 }].map((headers) => failedAttempts(headers))).toEqual([0, 0, 0, 0, 0]);
    expect(failedAttempts({ 'x-attempts': 3 })).toBe(3);
  });
});
