/** A breach's register entry (facts and decisions), its notification phases and its Art. 34 recipients. */
import { emptyRecord, recordSchema, type BreachRecord } from '../../domain/breach/breach-record.ts';
import type { RegisterNotification } from '../../domain/breach/register.ts';
import type { Language } from '../../domain/vocabulary.ts';
import type { Executor } from './database.ts';

export async function getRecord(db: Executor, caseId: string): Promise<BreachRecord> {
  const r = await db.selectFrom('breach_facts').select('data').where('case_id', '=', caseId).executeTakeFirst();
  return r ? recordSchema.parse(JSON.parse(r.data)) : emptyRecord();
}

export async function saveRecord(db: Executor, caseId: string, record: BreachRecord, now: Date): Promise<void> {
  const data = JSON.stringify(record);
  await db
    .insertInto('breach_facts')
    .values({ case_id: caseId, data, updated_at: now.getTime() })
    .onConflict((oc) => oc.column('case_id').doUpdateSet({ data, updated_at: now.getTime() }))
    .execute();
}

export interface NotificationRow extends RegisterNotification {
  id: string;
  customerId: string | null;
  /** What was given: the text of the notification (authority), the outbox row (customer), the public text. */
  given: Record<string, unknown>;
}

export async function addNotification(
  db: Executor,
  n: Omit<NotificationRow, 'customer'> & { caseId: string },
): Promise<void> {
  await db
    .insertInto('breach_notifications')
    .values({
      id: n.id,
      case_id: n.caseId,
      audience: n.audience,
      customer_id: n.customerId,
      phase: n.phase,
      given: JSON.stringify(n.given),
      at: n.at.getTime(),
      reference: n.reference,
      late_reasons: n.lateReasons,
      recorded_by: n.by,
    })
    .execute();
}

export async function listNotifications(db: Executor, caseId: string): Promise<NotificationRow[]> {
  const rows = await db
    .selectFrom('breach_notifications')
    .leftJoin('customers', 'customers.id', 'breach_notifications.customer_id')
    .selectAll('breach_notifications')
    .select('customers.name as customer_name')
    .where('case_id', '=', caseId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    audience: r.audience as NotificationRow['audience'],
    customerId: r.customer_id,
    customer: r.customer_name ?? r.customer_id,
    phase: r.phase,
    given: JSON.parse(r.given),
    at: new Date(Number(r.at)),
    reference: r.reference,
    lateReasons: r.late_reasons,
    by: r.recorded_by,
  }));
}

export interface RecipientRow {
  id: string;
  email: string;
  name: string | null;
  language: Language;
  outboxId: string | null;
}

/** Adds recipients not on the list yet (by address); returns how many were new. */
export async function addRecipients(
  db: Executor,
  caseId: string,
  rs: readonly { id: string; email: string; name: string | null; language: Language }[],
  now: Date,
): Promise<number> {
  let added = 0;
  for (const r of rs) {
    const res = await db
      .insertInto('breach_recipients')
      .values({
        id: r.id,
        case_id: caseId,
        email: r.email,
        name: r.name,
        language: r.language,
        outbox_id: null,
        created_at: now.getTime(),
      })
      .onConflict((oc) => oc.columns(['case_id', 'email']).doNothing())
      .executeTakeFirst();
    added += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

export async function listRecipients(db: Executor, caseId: string): Promise<RecipientRow[]> {
  const rows = await db
    .selectFrom('breach_recipients')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('email')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    language: r.language as Language,
    outboxId: r.outbox_id,
  }));
}

export async function setRecipientOutbox(db: Executor, id: string, outboxId: string): Promise<void> {
  await db.updateTable('breach_recipients').set({ outbox_id: outboxId }).where('id', '=', id).execute();
}

export interface Progress {
  total: number;
  sent: number;
  pending: number;
  failed: number;
  /** On the list, no notice queued yet. */
  unsent: number;
}

/** The Art. 34 notices of a breach: sent / pending / failed, by their outbox rows. */
export async function recipientProgress(db: Executor, caseId: string): Promise<Progress> {
  const rows = await db
    .selectFrom('breach_recipients')
    .leftJoin('outbox', 'outbox.id', 'breach_recipients.outbox_id')
    .select(['outbox.state'])
    .where('breach_recipients.case_id', '=', caseId)
    .execute();
  const p: Progress = { total: rows.length, sent: 0, pending: 0, failed: 0, unsent: 0 };
  for (const r of rows) {
    if (r.state === 'sent') p.sent++;
    else if (r.state === 'failed') p.failed++;
    else if (r.state === null) p.unsent++;
    else p.pending++;
  }
  return p;
}
