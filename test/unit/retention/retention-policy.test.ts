/** Which retention step is due (gdpr-rules §7): content after 90 days, facts after 36 months, breaches 5 years. */
import { describe, expect, it } from 'vitest';
import { retentionStepDue, type RetentionState } from '../../../src/domain/retention/retention-policy.ts';

const policy = { contentDays: 90, factsMonths: 36, breachYears: 5 };
const closed = new Date('2026-01-10T10:00:00Z');
const state = (o: Partial<RetentionState> = {}): RetentionState => ({
  kind: 'request', closedAt: closed, legalHold: false, contentRedactedAt: null, unredactedCopies: false, ...o,
});

describe('retentionStepDue', () => {
  it.each([
    ['open case', state({ closedAt: null }), '2040-01-01T00:00:00Z', null],
    ['89 days after closure', state(), '2026-04-09T10:00:00Z', null],
    ['exactly 90 days after closure', state(), '2026-04-10T10:00:00Z', 'content'],
    ['held, years later', state({ legalHold: true }), '2040-01-01T00:00:00Z', null],
    ['content already redacted', state({ contentRedactedAt: closed }), '2027-01-01T00:00:00Z', null],
    ['redacted, a mail sent since', state({ contentRedactedAt: closed, unredactedCopies: true }), '2026-01-11', 'content'],
    ['request facts at 36 months', state({ contentRedactedAt: closed }), '2029-01-10T10:00:00Z', 'facts'],
    ['request facts a day before', state({ contentRedactedAt: closed }), '2029-01-09T10:00:00Z', null],
    ['breach entry at 36 months', state({ kind: 'breach', contentRedactedAt: closed }), '2029-01-10T10:00:00Z', null],
    ['breach entry at 5 years', state({ kind: 'breach', contentRedactedAt: closed }), '2031-01-10T10:00:00Z', 'facts'],
  ] as const)('%s → %s', (_what, s, now, step) => {
    expect(retentionStepDue(s, policy, new Date(now))).toBe(step);
  });
});
