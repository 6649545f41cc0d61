/**
 * Background work lets a waiting acknowledgement go first (src/event-loop.ts): its next turn comes once no request
 * waits, or after a bounded wait, so a request that itself needs the database is never stuck behind it. Fake timers
 * (setTimeout and setImmediate): the test moves time, nothing depends on how fast this machine is.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awaitingAck, nextTurn } from '../../../src/event-loop.ts';

describe('event-loop turns', () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] }); });
  afterEach(() => { vi.useRealTimers(); });

  const watch = (p: Promise<void>) => {
    const s = { resumed: false };
    void p.then(() => { s.resumed = true; });
    return s;
  };

  it('with no request waiting, the next turn is one setImmediate away', async () => {
    const s = watch(nextTurn());
    await vi.advanceTimersToNextTimerAsync();
    expect(s.resumed).toBe(true);
  });

  it('while a request waits for its ack, background work waits until it is answered', async () => {
    const answered = awaitingAck();
    const s = watch(nextTurn());
    await vi.advanceTimersByTimeAsync(49);
    expect(s.resumed).toBe(false);
    answered();
    answered(); // idempotent: the count of waiting requests stays right
    await vi.advanceTimersToNextTimerAsync();
    expect(s.resumed).toBe(true);
    const after = watch(nextTurn()); // nobody waits now
    await vi.advanceTimersToNextTimerAsync();
    expect(after.resumed).toBe(true);
  });

  it('waits for every waiting request, and never longer than 50 ms', async () => {
    const first = awaitingAck();
    const second = awaitingAck();
    const s = watch(nextTurn());
    first();
    await vi.advanceTimersByTimeAsync(10);
    expect(s.resumed).toBe(false); // the second still waits
    await vi.advanceTimersByTimeAsync(40); // 50 ms: the bound
    await vi.advanceTimersToNextTimerAsync(); // and the turn itself
    expect(s.resumed).toBe(true); // the bound: a request stuck on the database behind this work cannot hold it
    second();
  });
});
