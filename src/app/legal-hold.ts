/**
 * Legal hold (gdpr-rules §7): the DPO keeps a case whole — no redaction, no deletion — while a claim, an
 * authority's inquiry or litigation needs it. Placing and lifting it need the DPO and a reason; both are audited.
 */
import { appendAudit } from '../adapters/db/audit-log.ts';
import { findCaseByNumber, updateCase } from '../adapters/db/case-repository.ts';
import type { Case } from '../domain/case.ts';
import type { Actor, AppDeps, Result } from './deps.ts';

export interface HoldInput {
  caseNumber: string;
  actor: Actor;
  reason: string;
}

export function placeHold(deps: AppDeps, input: HoldInput, now: Date): Promise<Result<{ case: Case }>> {
  return setHold(deps, input, true, now);
}

export function releaseHold(deps: AppDeps, input: HoldInput, now: Date): Promise<Result<{ case: Case }>> {
  return setHold(deps, input, false, now);
}

async function setHold(deps: AppDeps, input: HoldInput, hold: boolean, now: Date): Promise<Result<{ case: Case }>> {
  const word = hold ? 'place' : 'lift';
  if (input.actor.role !== 'dpo') {
    return { ok: false, code: 'NOT_ALLOWED', message: `Only the DPO may ${word} a legal hold.` };
  }
  const reason = input.reason.trim();
  if (!reason) return { ok: false, code: 'REASON_REQUIRED', message: `A legal hold needs a reason to ${word} it.` };
  return deps.database.db.transaction().execute(async (trx) => {
    const c = await findCaseByNumber(trx, input.caseNumber);
    if (!c) return { ok: false as const, code: 'CASE_NOT_FOUND', message: `No case ${input.caseNumber}.` };
    if (c.legalHold === hold) {
      return {
        ok: false as const, code: hold ? 'ALREADY_HELD' : 'NOT_HELD',
        message: hold ? `${c.number} is already under legal hold.` : `${c.number} is not under legal hold.`,
      };
    }
    const saved = await updateCase(trx, { ...c, legalHold: hold, updatedAt: now });
    await appendAudit(trx, [{
      caseId: c.id, type: hold ? 'LegalHoldPlaced' : 'LegalHoldReleased', actor: input.actor.id, at: now,
      data: { role: input.actor.role, reason },
    }]);
    return { ok: true as const, case: saved };
  });
}
