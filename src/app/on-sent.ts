/**
 * What happens when the transport confirmed a row that carries an `on_sent` event — in the transaction that
 * marks it sent. GDPR Art. 12(3): an extension takes effect only once its notice with reasons was sent, and
 * only if that was within the first month.
 */
import type { Transaction } from 'kysely';
import { appendAudit } from '../adapters/db/audit-log.ts';
import { findCaseById, getPauses, saveDeadlines, updateCase } from '../adapters/db/case-repository.ts';
import { enqueue, type OutboxRow } from '../adapters/db/outbox-repository.ts';
import { confirmReminders, getReminders, settleReminders } from '../adapters/db/reminder-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import { governingDeadline } from '../domain/deadlines/deadline.ts';
import { decideExtension } from '../domain/deadlines/extension.ts';
import { dateInZone } from '../domain/local-date.ts';
import { caseDeadlines, withDeadlines } from './case-clocks.ts';
import type { AppDeps } from './deps.ts';
import { replanReminders } from './plan-reminders.ts';
import { dpoAlert } from './compose-mail.ts';

type Handler = (deps: AppDeps, trx: Transaction<DB>, row: OutboxRow, now: Date) => Promise<void>;

export const ON_SENT: Record<string, Handler> = {
  ExtensionNoticeSent: extensionNoticeSent,
  RemindersSent: remindersSent,
  ClockStarted: clockStarted,
};

/** What a permanent failure of such a row means, in the transaction that marks it failed. */
export const ON_FAILED: Record<string, Handler> = {
  RemindersSent: remindersFailed,
};

const reminderIds = (row: OutboxRow) => (Array.isArray(row.payload.reminderIds) ? row.payload.reminderIds.map(String) : []);

/** A reminder is sent once every message carrying it was confirmed. */
async function remindersSent(_deps: AppDeps, trx: Transaction<DB>, row: OutboxRow, now: Date): Promise<void> {
  await confirmReminders(trx, reminderIds(row), now);
}

/** A reminder that could not be delivered is visible on each of its cases (the DPO is alerted by the deliverer). */
async function remindersFailed(_deps: AppDeps, trx: Transaction<DB>, row: OutboxRow, now: Date): Promise<void> {
  const rows = await getReminders(trx, reminderIds(row));
  await settleReminders(trx, rows.map((r) => r.id), { state: 'failed', outcome: `delivery via ${row.channel} failed` });
  for (const caseId of new Set(rows.map((r) => r.caseId))) {
    const c = await findCaseById(trx, caseId);
    if (c) await updateCase(trx, { ...c, deliveryFailures: c.deliveryFailures + 1, updatedAt: now });
    await appendAudit(trx, [{ caseId, type: 'ReminderFailed', actor: 'system', at: now, data: { outboxId: row.id, channel: row.channel } }]);
  }
}

async function extensionNoticeSent(deps: AppDeps, trx: Transaction<DB>, row: OutboxRow, now: Date): Promise<void> {
  const c = row.caseId ? await findCaseById(trx, row.caseId) : null;
  if (!c?.extension || c.extension.sentOn) return;
  const sentOn = dateInZone(now, deps.config.org.timezone);
  const pauses = await getPauses(trx, c.id);
  const before = governingDeadline(caseDeadlines(deps, c, pauses, now).filter((d) => d.extendedDue));
  const decision = before
    ? decideExtension(before, { sentOn, reasons: c.extension.reasons })
    : { ok: false as const, code: 'EXTENSION_NOT_AVAILABLE', message: 'no clock of this case can be extended' };
  if (!decision.ok) {
    await updateCase(trx, { ...c, extension: null, updatedAt: now });
    await appendAudit(trx, [{ caseId: c.id, type: 'ExtensionRefused', actor: 'system', at: now, data: { code: decision.code, sentOn } }]);
    await enqueue(trx, dpoAlert(deps, {
      caseId: c.id, caseNumber: c.number, deliveryFailed: false, key: `${row.id}:extension-refused`, reason: decision.message,
    }, now), now);
    return;
  }
  const extended = { ...c, extension: { ...c.extension, sentOn }, updatedAt: now };
  const deadlines = caseDeadlines(deps, extended, pauses, now);
  const clocked = withDeadlines(extended, deadlines, 'system', now);
  await saveDeadlines(trx, c.id, deadlines, now);
  const saved = await updateCase(trx, clocked.case);
  await replanReminders(trx, deps, saved, deadlines, now);
  await appendAudit(trx, [
    { caseId: c.id, type: 'Extended', actor: 'system', at: now, data: { sentOn, extendedDue: decision.extendedDue } },
    ...clocked.audit,
  ]);
}

/** An obligation whose clock runs from its notice being sent: the first confirmed notice starts it. */
async function clockStarted(deps: AppDeps, trx: Transaction<DB>, row: OutboxRow, now: Date): Promise<void> {
  const c = row.caseId ? await findCaseById(trx, row.caseId) : null;
  if (!c || c.clockFrom || c.closedAt) return;
  const started = { ...c, clockFrom: now, updatedAt: now };
  const deadlines = caseDeadlines(deps, started, await getPauses(trx, c.id), now);
  const clocked = withDeadlines(started, deadlines, 'system', now);
  await saveDeadlines(trx, c.id, deadlines, now);
  const saved = await updateCase(trx, clocked.case);
  await replanReminders(trx, deps, saved, deadlines, now);
  await appendAudit(trx, [
    { caseId: c.id, type: 'ClockStarted', actor: 'system', at: now, data: { outboxId: row.id, kind: row.kind } },
    ...clocked.audit,
  ]);
}
