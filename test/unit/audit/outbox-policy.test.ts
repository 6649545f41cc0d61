import { describe, expect, it } from 'vitest';
import { decideFailure, DeliveryError, retryDelayMs } from '../../../src/domain/outbox-policy.ts';

const policy = { baseMs: 1000, capMs: 8000, maxAttempts: 5, maxAgeMs: 60_000 };

describe('outbox retry policy', () => {
  it('doubles up to the cap, with jitter between half and all of the delay', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelayMs(a, policy, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(retryDelayMs(3, policy, () => 0)).toBe(2000);
  });

  it('fails permanent errors at once, gives up after max attempts or past the window', () => {
    expect(decideFailure(new DeliveryError('550', false), 1, 0, 0, policy, () => 0)).toMatchObject({ action: 'fail' });
    expect(decideFailure(new DeliveryError('451', true), 5, 0, 0, policy, () => 0)).toMatchObject({ action: 'fail' });
    expect(decideFailure(new DeliveryError('451', true), 1, 0, 59_900, policy, () => 0)).toMatchObject({ action: 'fail' });
    expect(decideFailure(new DeliveryError('451', true), 1, 0, 0, policy, () => 0)).toEqual({ action: 'retry', at: 500 });
    expect(decideFailure(new DeliveryError('429', true, 5000), 1, 0, 0, policy, () => 0)).toEqual({ action: 'retry', at: 5000 });
  });
});
