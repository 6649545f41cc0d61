/**
 * How long dpo-desk keeps what it holds (gdpr-rules §7): which retention step is due for a closed case at an
 * instant. Pure. Content (what the data subject wrote, raw mail, attachments, notes, copies of sent mail) goes
 * `contentDays` after closure; the facts (dates, type, channel, decision) `factsMonths` after closure, a breach
 * register entry (GDPR Art. 33(5)) `breachYears` after closure. An open case or one under legal hold: nothing.
 */
import { DateTime } from 'luxon';

export interface RetentionPolicy {
  contentDays: number;
  factsMonths: number;
  breachYears: number;
}

export type RetentionStep = 'content' | 'facts';

export interface RetentionState {
  kind: string;
  closedAt: Date | null;
  legalHold: boolean;
  /** When its content was redacted (null: not yet). */
  contentRedactedAt: Date | null;
  /** Copies of mail sent after the redaction (an erasure answer that was still queued) wait for the next purge. */
  unredactedCopies: boolean;
}

export function contentDueAt(closedAt: Date, p: RetentionPolicy): Date {
  return new Date(closedAt.getTime() + p.contentDays * 86_400_000);
}

/** Facts: calendar months (or years for a breach register entry) after closure, in UTC. */
export function factsDueAt(kind: string, closedAt: Date, p: RetentionPolicy): Date {
  const closed = DateTime.fromJSDate(closedAt, { zone: 'utc' });
  const due = kind === 'breach' ? closed.plus({ years: p.breachYears }) : closed.plus({ months: p.factsMonths });
  return due.toJSDate();
}

/** The step due now, or null. Facts before content: deleting the facts deletes the content with them. */
export function retentionStepDue(s: RetentionState, p: RetentionPolicy, now: Date): RetentionStep | null {
  if (!s.closedAt || s.legalHold) return null;
  if (factsDueAt(s.kind, s.closedAt, p).getTime() <= now.getTime()) return 'facts';
  if (s.contentRedactedAt) return s.unredactedCopies ? 'content' : null;
  return contentDueAt(s.closedAt, p).getTime() <= now.getTime() ? 'content' : null;
}

/** The earliest closure instant that can have any step due at `now` (a coarse filter for the database). */
export function closedOnOrBefore(p: RetentionPolicy, now: Date): Date {
  return new Date(now.getTime() - p.contentDays * 86_400_000);
}
