/** Transient is not poison: which errors are retried, and when a failing message is finally quarantined. */
import { describe, expect, it } from 'vitest';
import { createSafeIntake } from '../../../src/app/ingest-mail.ts';
import type { AppDeps } from '../../../src/app/deps.ts';
import { isTransientError } from '../../../src/domain/transient-errors.ts';
import { createLogger } from '../../../src/logger.ts';

const deps = { log: createLogger('silent') } as unknown as AppDeps;
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('isTransientError', () => {
  it.each([
    ['SQLite busy', coded('SQLITE_BUSY', 'database is locked')],
    ['SQLite busy snapshot', coded('SQLITE_BUSY_SNAPSHOT')],
    ['SQLite locked', coded('SQLITE_LOCKED')],
    ['PostgreSQL serialization failure', coded('40001')],
    ['PostgreSQL deadlock', coded('40P01')],
    ['PostgreSQL admin shutdown', coded('57P01')],
    ['PostgreSQL connection failure', coded('08006')],
    ['connection reset', coded('ECONNRESET')],
    ['connection refused', coded('ECONNREFUSED')],
    ['timeout', coded('ETIMEDOUT')],
    ['pg pool: connection terminated', new Error('Connection terminated unexpectedly')],
    ['wrapped in a cause', new Error('outer', { cause: coded('SQLITE_BUSY') })],
  ])('%s is transient', (_, e) => expect(isTransientError(e)).toBe(true));

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a constraint', coded('SQLITE_CONSTRAINT_UNIQUE')],
    ['a PostgreSQL syntax error', coded('42601')],
    ['not an error', null],
  ])('%s is not', (_, e) => expect(isTransientError(e)).toBe(false));
});

describe('createSafeIntake', () => {
  function harness(outcomes: (string | Error)[]) {
    const calls: string[] = [];
    const quarantined: string[] = [];
    const slept: number[] = [];
    const intake = createSafeIntake(deps, {
      sleep: async (ms) => { slept.push(ms); },
      process: async (id) => {
        calls.push(id);
        const next = outcomes.shift() ?? 'created';
        if (next instanceof Error) throw next;
        return next;
      },
      quarantine: async (id, reason) => { quarantined.push(`${id}: ${reason}`); },
    });
    return { intake, calls, quarantined, slept };
  }

  it('retries a busy database with capped backoff and processes the mail', async () => {
    const h = harness([coded('SQLITE_BUSY', 'database is locked'), coded('SQLITE_BUSY', 'database is locked'), 'created']);
    expect(await h.intake.process('m1')).toBe('created');
    expect(h.calls).toEqual(['m1', 'm1', 'm1']);
    expect(h.slept).toEqual([100, 400]);
    expect(h.quarantined).toEqual([]);
  });

  it('leaves a mail for the next run when the database stays locked, never quarantining it', async () => {
    const h = harness(Array.from({ length: 40 }, () => coded('SQLITE_BUSY', 'database is locked')));
    for (let run = 0; run < 10; run++) expect(await h.intake.process('m1')).toBe('received');
    expect(h.quarantined).toEqual([]);
    expect(Math.max(...h.slept)).toBe(1_600);
  });

  it('quarantines a mail only after it failed the same way three times', async () => {
    const bug = () => new TypeError('boom');
    const h = harness([bug(), bug(), bug()]);
    expect(await h.intake.process('m1')).toBe('received');
    expect(await h.intake.process('m1')).toBe('received');
    expect(h.quarantined).toEqual([]);
    expect(await h.intake.process('m1')).toBe('quarantined');
    expect(h.quarantined).toEqual(['m1: processing failed 3 times: boom']);
  });

  it('does not count a transient failure, nor a different error, towards quarantine', async () => {
    const h = harness([new TypeError('a'), coded('ECONNRESET'), coded('ECONNRESET'), coded('ECONNRESET'), coded('ECONNRESET'),
      new TypeError('b'), new TypeError('a'), 'created']);
    expect(await h.intake.process('m1')).toBe('received'); // a ×1
    expect(await h.intake.process('m1')).toBe('received'); // resets ×4: deferred
    expect(await h.intake.process('m1')).toBe('received'); // b ×1
    expect(await h.intake.process('m1')).toBe('received'); // a ×1 again
    expect(await h.intake.process('m1')).toBe('created');
    expect(h.quarantined).toEqual([]);
  });
});
