/** The breach register (Art. 33(5)) read from the database: every breach case reported in [from, to). */
import { getRecord, listNotifications, recipientProgress } from '../../adapters/db/breach-repository.ts';
import { findCaseById } from '../../adapters/db/case-repository.ts';
import { linkedCustomers } from '../../adapters/db/customer-repository.ts';
import type { Executor } from '../../adapters/db/database.ts';
import type { RegisterEntry } from '../../domain/breach/register.ts';
import { mergeFacts, type BreachRecord } from '../../domain/breach/breach-record.ts';

export async function registerEntries(db: Executor, range: { from?: Date; to?: Date } = {}): Promise<RegisterEntry[]> {
  const rows = await db
    .selectFrom('cases')
    .select('id')
    .where('kind', '=', 'breach')
    .$if(Boolean(range.from), (q) => q.where('received_at', '>=', range.from!.getTime()))
    .$if(Boolean(range.to), (q) => q.where('received_at', '<', range.to!.getTime()))
    .orderBy('number')
    .execute();
  const out: RegisterEntry[] = [];
  for (const { id } of rows) {
    const c = (await findCaseById(db, id))!;
    const p = await recipientProgress(db, c.id);
    out.push({
      number: c.number,
      role: c.role,
      state: c.state,
      reportedAt: c.receivedAt,
      detectedAt: c.detectedAt,
      awareAt: c.awareAt,
      dueAt: c.governingDueAt,
      closedAt: c.closedAt,
      outcome: c.outcome,
      record: await withIntakeFacts(db, c.id, await getRecord(db, c.id)),
      customers: (await linkedCustomers(db, c.id)).map((l) => l.customer.name),
      notifications: await listNotifications(db, c.id),
      subjectsNotified: { sent: p.sent, pending: p.pending + p.unsent, failed: p.failed },
    });
  }
  return out;
}

/**
 * A breach entered with the team's breach modal carries its first facts in the intake audit event (categories,
 * approximate numbers); they fill the register where nothing was recorded since.
 */
async function withIntakeFacts(db: Executor, caseId: string, record: BreachRecord): Promise<BreachRecord> {
  const row = await db
    .selectFrom('audit_events')
    .select('data')
    .where('case_id', '=', caseId)
    .where('type', '=', 'IntakeRecorded')
    .orderBy('seq')
    .executeTakeFirst();
  if (!row) return record;
  const d = JSON.parse(row.data) as { dataCategories?: string[]; people?: number | null; records?: number | null };
  const intake = {
    recordCategories: d.dataCategories?.length ? d.dataCategories : undefined,
    subjectsApprox: typeof d.people === 'number' ? `about ${d.people}` : undefined,
    recordsApprox: typeof d.records === 'number' ? `about ${d.records}` : undefined,
  };
  return { ...record, facts: mergeFacts(intake, record.facts) };
}
