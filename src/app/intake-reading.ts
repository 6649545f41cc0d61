/**
 * How the mail intake read the message that opened a case, from its `MailFiled` audit event: triage or not, the
 * confidence, the words that decided it, a language we have no templates for, which header dated it. Shown by
 * `dpo-desk case show` and in Slack's case details. No personal data: the matched words are our keywords.
 */
import { readAudit } from '../adapters/db/audit-log.ts';
import type { AppDeps } from './deps.ts';

export interface IntakeReading {
  triage: boolean;
  confidence: number;
  matched: string[];
  detected_language: string | null;
  /** e.g. "language not supported: it"; null when we answer in the language it was written in. */
  language_note: string | null;
  received_from: string | null;
}

/** The reading recorded in a case's audit trail, or null for a case that did not come in by mail. */
export function intakeReadingOf(audit: readonly { type: string; data: unknown }[]): IntakeReading | null {
  const filed = audit.find((e) => e.type === 'MailFiled')?.data as Record<string, unknown> | undefined;
  if (!filed || typeof filed.confidence !== 'number') return null;
  return {
    triage: Boolean(filed.triage), confidence: filed.confidence, matched: (filed.matched as string[] | undefined) ?? [],
    detected_language: (filed.detectedLanguage as string | null | undefined) ?? null,
    language_note: (filed.languageNote as string | null | undefined) ?? null,
    received_from: (filed.receiptSource as string | null | undefined) ?? null,
  };
}

/** The same, read from the database. */
export async function intakeReading(deps: AppDeps, caseId: string): Promise<IntakeReading | null> {
  for await (const e of readAudit(deps.database.db, 100, caseId)) {
    if (e.type === 'MailFiled') return intakeReadingOf([e]);
  }
  return null;
}

/** One line for people: "TRIAGE — …; confidence 0.4; matched: generic: GDPR; language not supported: it". */
export function intakeLine(i: IntakeReading): string {
  const what = i.triage
    ? 'TRIAGE — not understood with confidence; a person types it (request, breach or not a request)'
    : 'typed by the intake';
  const note = i.language_note ? `; ${i.language_note}` : '';
  return `${what}; confidence ${i.confidence}; matched: ${i.matched.length ? i.matched.join(', ') : '—'}${note}`;
}
