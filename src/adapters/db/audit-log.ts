/** The hash-chained audit log in the database: append inside a use case's transaction; read page by page. */
import type { Transaction } from 'kysely';
import { chainHash, type AuditContent, type AuditRecord } from '../../domain/audit-chain.ts';
import type { Executor } from './database.ts';
import type { DB } from './schema.ts';

export type NewAuditEvent = Omit<AuditContent, 'seq'>;

/**
 * Appends events to the chain. The head row is updated first, which takes its row lock on PostgreSQL
 * (and the write lock on SQLite), so concurrent transactions append one after another, never forking the chain.
 */
export async function appendAudit(trx: Transaction<DB>, events: readonly NewAuditEvent[]): Promise<void> {
  if (!events.length) return;
  let head = await trx.updateTable('audit_head').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', 1)
    .returning(['seq', 'hash']).executeTakeFirstOrThrow();
  const rows = [];
  for (const e of events) {
    const content: AuditContent = { ...e, seq: Number(head.seq) + 1 };
    const hash = chainHash(head.hash, content);
    rows.push({
      seq: content.seq, case_id: e.caseId, type: e.type, actor: e.actor, at: e.at.getTime(),
      data: JSON.stringify(e.data), prev_hash: head.hash, hash,
    });
    head = { seq: content.seq, hash };
  }
  for (let i = 0; i < rows.length; i += 500) await trx.insertInto('audit_events').values(rows.slice(i, i + 500)).execute(); // SQLite: ≤ 32,766 parameters
  await trx.updateTable('audit_head').set({ seq: head.seq, hash: head.hash }).where('id', '=', 1).execute();
}

export async function auditHead(db: Executor): Promise<{ seq: number; hash: string }> {
  const h = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { seq: Number(h.seq), hash: h.hash };
}

/** Events in seq order, `pageSize` at a time (a keyset scan: no OFFSET). */
export async function* readAudit(db: Executor, pageSize = 1000, caseId?: string): AsyncGenerator<AuditRecord> {
  let after = -1;
  for (;;) {
    let q = db.selectFrom('audit_events').selectAll().where('seq', '>', after);
    if (caseId) q = q.where('case_id', '=', caseId);
    const rows = await q.orderBy('seq').limit(pageSize).execute();
    for (const r of rows) {
      yield {
        seq: Number(r.seq), caseId: r.case_id, type: r.type, actor: r.actor, at: new Date(r.at),
        data: JSON.parse(r.data), prevHash: r.prev_hash, hash: r.hash,
      };
    }
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}
