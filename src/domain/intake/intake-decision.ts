/**
 * What the poller does with a message on a fresh database: open a case, leave it, or quarantine it. Threading onto
 * existing cases (replies, bounces of our mail) happens before this decision and is not its concern.
 */
import { CONFIDENT } from './request-types.ts';
import type { UnderstandResult } from './understanding.ts';

export type IntakeAction = 'create' | 'ignore' | 'quarantine';

export interface IntakeDecision {
  action: IntakeAction;
  /**
   * Why: the failure (`too_large`, `unparseable`), the auto class (`auto_reply`, `out_of_office`, `bounce`, `list`,
   * `own_loop`), `triage` for a person's mail we did not understand with confidence, or `null` for a typed case.
   */
  reason: string | null;
}

/**
 * Maps an understanding to an action. A person's request is never dropped:
 * - A message we could not read → quarantine (email.md: poison messages keep their raw bytes).
 * - Automatic mail of any kind → ignore; it never opens a case (email.md, mail loops). Only these are ignored.
 * - A person's request or breach report recognised with confidence → create a typed case.
 * - Any other mail from a person → create a triage case: a person types it as a request, a breach or "not a
 *   request", and its clock runs from receipt meanwhile (a request in words we do not know still has a deadline).
 */
export function intakeDecision(result: UnderstandResult): IntakeDecision {
  if (!result.ok) return { action: 'quarantine', reason: result.reason };
  const u = result.value;
  if (u.auto !== 'human') return { action: 'ignore', reason: u.auto };
  if (u.kind !== 'other' && u.confidence >= CONFIDENT) return { action: 'create', reason: null };
  return { action: 'create', reason: 'triage' };
}
