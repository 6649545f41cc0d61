/** The case: a data subject's request or a breach report, with its legal clocks. */
import type { LocalDate } from './local-date.ts';
import { type CaseKind, type Language, type OrgRole, type RegimeId, type RequestType } from './vocabulary.ts';

export const CHANNELS = ['mail', 'slack', 'cli', 'form'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Facts about a case: no data-subject identity or content here (that is `CasePrivate`). */
export interface Case {
  id: string;
  number: string;
  /** Where it came from (`mail:<Message-ID>`, `slack:<view>`): the same source never opens two cases. */
  sourceKey: string | null;
  kind: CaseKind;
  state: string;
  requestTypes: RequestType[];
  regimes: RegimeId[];
  role: OrgRole;
  owner: string | null;
  language: Language;
  channel: Channel;
  receivedAt: Date;
  receivedDate: LocalDate;
  detectedAt: Date | null;
  awareAt: Date | null;
  governingRegime: RegimeId | null;
  governingDueAt: Date | null;
  identityVerifiedAt: Date | null;
  extension: { reasons: string; requestedAt: Date; sentOn: LocalDate | null } | null;
  legalHold: boolean;
  deliveryFailures: number;
  outcome: string | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  /** The workflow definition the case follows (workflows/<id>.yaml). */
  workflow: string;
  /** What its events recorded for the record (objections per customer, evidence of deletion): no personal data. */
  facts: Record<string, unknown>;
  /** For a clock that runs from a notice being sent: when it was sent (null until then). */
  clockFrom: Date | null;
}

/** The data subject and what they wrote: kept apart so retention can redact it (gdpr-rules §7). */
export interface CasePrivate {
  requesterEmail: string | null;
  requesterName: string | null;
  /** False when the address was recovered only from body text: nothing is mailed to it until a person confirms. */
  requesterVerified: boolean;
  requesterAddress: string | null;
  subject: string | null;
  content: string | null;
  redactedAt: Date | null;
}

/** `DSR-2026-0001`, `BRE-2026-0001`, `SPC-2026-0001`: the workflow's prefix, year, a per-year sequence. */
export function formatCaseNumber(prefix: string, year: number, n: number): string {
  return `${prefix}-${year}-${String(n).padStart(4, '0')}`;
}

/** What a case number looks like (any workflow's prefix): for telling one from other words. */
export const CASE_NUMBER_RE = /^[A-Za-z]{3,4}-\d{4}-\d+$/;

/** Accepts `dsr-2026-1` / `DSR-2026-0001` and returns the canonical form, or null. */
export function normaliseCaseNumber(s: string): string | null {
  const m = /^([A-Z]{3,4})-(\d{4})-(\d+)$/.exec(s.trim().toUpperCase());
  return m ? `${m[1]}-${m[2]}-${m[3]!.padStart(4, '0')}` : null;
}
