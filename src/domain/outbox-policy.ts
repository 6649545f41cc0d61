/**
 * Delivery decisions for the outbox, pure: which failures are retried, and when.
 * Modelled on EmailEngine's delivery-error / reconnect-backoff: 5xx permanent, 4xx and network retryable.
 */

/** A transport's failure: transports throw this so the deliverer knows whether to try again. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** From a `Retry-After` header or similar: the earliest moment worth another try. */
    readonly retryAfterMs: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** Give up after this many attempts… */
  maxAttempts: number;
  /** …or once the first attempt is this old: a retry window bounded in time. */
  maxAgeMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 30_000, capMs: 30 * 60_000, maxAttempts: 12, maxAgeMs: 24 * 3_600_000 };

/** Capped exponential backoff with jitter in [delay/2, delay]: spreads retries of many rows. */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

export type FailureDecision = { action: 'retry'; at: number } | { action: 'fail'; reason: string };

/** After attempt number `attempts` failed with `error` at `now`: retry when, or give up. */
export function decideFailure(
  error: DeliveryError,
  attempts: number,
  createdAt: number,
  now: number,
  policy: RetryPolicy,
  random: () => number,
): FailureDecision {
  if (!error.retryable) return { action: 'fail', reason: `permanent: ${error.message}` };
  if (attempts >= policy.maxAttempts) return { action: 'fail', reason: `gave up after ${attempts} attempts: ${error.message}` };
  const at = now + Math.max(retryDelayMs(attempts, policy, random), error.retryAfterMs ?? 0);
  if (at - createdAt > policy.maxAgeMs) return { action: 'fail', reason: `retry window exhausted: ${error.message}` };
  return { action: 'retry', at };
}
