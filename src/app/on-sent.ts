/**
 * What happens when the transport confirmed a row that carries an `on_sent` event — in the transaction that
 * marks it sent. GDPR Art. 12(3): an extension takes effect only once its notice with reasons was sent, and
 * only if that was within the first month.
 */
import type { Transaction } from 'kysely';
import { appendAudit } from '../adapters/db/audit-log.ts';
import { findCaseById, getPauses, saveDeadlines, updateCase } from '../adapters/db/case-repository.ts';
import { enqueue, type OutboxRow } from '../adapters/db/outbox-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import { governingDeadline } from '../domain/deadlines/deadline.ts';
import { decideExtension } from '../domain/deadlines/extension.ts';
import { dateInZone } from '../domain/local-date.ts';
import { caseDeadlines, withDeadlines } from './case-clocks.ts';
import type { AppDeps } from './deps.ts';
import { dpoAlert } from './compose-mail.ts';

type Handler = (deps: AppDeps, trx: Transaction<DB>, row: OutboxRow, now: Date) => Promise<void>;

export const ON_SENT: Record<string, Handler> = {
  ExtensionNoticeSent: extensionNoticeSent,
};

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
  await updateCase(trx, clocked.case);
  await appendAudit(trx, [
    { caseId: c.id, type: 'Extended', actor: 'system', at: now, data: { sentOn, extendedDue: decision.extendedDue } },
    ...clocked.audit,
  ]);
}
