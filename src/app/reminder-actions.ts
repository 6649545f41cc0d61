/**
 * What a person does with a reminder: acknowledge it (stops the escalation steps after it) or snooze it — only to
 * before the next hard milestone, with a reason, audited; a snooze never stops escalation to the DPO.
 */
import { appendAudit } from '../adapters/db/audit-log.ts';
import { findCaseById } from '../adapters/db/case-repository.ts';
import { acknowledgeRows, getReminders, snoozeRow } from '../adapters/db/reminder-repository.ts';
import type { Actor, AppDeps, Result } from './deps.ts';

export async function acknowledgeReminders(deps: AppDeps, ids: readonly string[], actor: Actor, now: Date): Promise<Result<{ acknowledged: number }>> {
  return deps.database.db.transaction().execute(async (trx) => {
    const rows = await getReminders(trx, ids);
    if (!rows.length) return { ok: false, code: 'REMINDER_NOT_FOUND', message: 'No such reminder.' };
    const n = await acknowledgeRows(trx, rows.map((r) => r.id), actor.id, now);
    await appendAudit(trx, [...new Set(rows.map((r) => r.caseId))].map((caseId) => ({
      caseId, type: 'ReminderAcknowledged', actor: actor.id, at: now, data: { rules: rows.filter((r) => r.caseId === caseId).map((r) => r.ruleId) },
    })));
    return { ok: true, acknowledged: n };
  });
}

export async function snoozeReminder(
  deps: AppDeps, input: { id: string; until: Date; reason: string; actor: Actor }, now: Date,
): Promise<Result<{ until: Date }>> {
  return deps.database.db.transaction().execute(async (trx) => {
    const [row] = await getReminders(trx, [input.id]);
    const c = row ? await findCaseById(trx, row.caseId) : null;
    if (!row || !c) return { ok: false, code: 'REMINDER_NOT_FOUND', message: 'No such reminder.' };
    if (!input.reason.trim()) return { ok: false, code: 'SNOOZE_REASON_REQUIRED', message: 'A snooze needs a reason.' };
    if (input.until.getTime() <= now.getTime()) return { ok: false, code: 'SNOOZE_IN_PAST', message: 'Snooze to a time in the future.' };
    if (row.recipient === 'dpo' || row.ruleId.includes('>dpo') || row.ruleId.includes('>managers')) {
      return { ok: false, code: 'SNOOZE_NOT_ALLOWED', message: 'Escalations to the DPO and managers cannot be snoozed.' };
    }
    if (c.governingDueAt && input.until.getTime() >= c.governingDueAt.getTime()) {
      return { ok: false, code: 'SNOOZE_PAST_MILESTONE', message: `Snooze only to before the deadline (${c.governingDueAt.toISOString()}).` };
    }
    await snoozeRow(trx, row.id, input.until);
    await appendAudit(trx, [{
      caseId: c.id, type: 'ReminderSnoozed', actor: input.actor.id, at: now,
      data: { rule: row.ruleId, until: input.until.toISOString(), reason: input.reason },
    }]);
    return { ok: true, until: input.until };
  });
}
