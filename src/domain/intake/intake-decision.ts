/**
 * What the poller does with a message on a fresh database: open a case, leave it, or quarantine it. Threading onto
 * existing cases (replies, bounces of our mail) happens before this decision and is not its concern.
 */
import type { UnderstandResult } from './understanding.ts';

export type IntakeAction = 'create' | 'ignore' | 'quarantine';

export interface IntakeDecision {
  action: IntakeAction;
  /**
   * Why: the failure (`too_large`, `unparseable`), the auto class (`auto_reply`, `out_of_office`, `bounce`, `list`,
   * `own_loop`), `not_a_request`, or for a case `null` — except `forwarded_for_triage`, see below.
   */
  reason: string | null;
}

/**
 * Maps an understanding to an action.
 * - A message we could not read → quarantine (email.md: poison messages keep their raw bytes).
 * - Automatic mail of any kind → ignore; it never opens a case (email.md, mail loops).
 * - A person's request or breach report → create.
 * - A colleague deliberately forwarded (attached or inline) something the keywords did not recognise → create
 *   for triage: the forward itself is the signal, and a request in a language we have no words for must not be
 *   lost (its one-month clock runs anyway). The case starts as a request a person re-classifies.
 * - Anything else → ignore as `not_a_request`.
 */
export function intakeDecision(result: UnderstandResult): IntakeDecision {
  if (!result.ok) return { action: 'quarantine', reason: result.reason };
  const u = result.value;
  if (u.auto !== 'human') return { action: 'ignore', reason: u.auto };
  if (u.kind !== 'other') return { action: 'create', reason: null };
  if (u.forward !== null && u.forward.kind !== 'redirect') return { action: 'create', reason: 'forwarded_for_triage' };
  return { action: 'ignore', reason: 'not_a_request' };
}
