/** The hash-chained audit log in the database: append inside a use case's transaction; read page by page. */
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { chainHash, type AuditContent, type AuditRecord } from '../../domain/audit-chain.ts';
import { sealData, unsealData, type SealedText } from '../../domain/audit-seal.ts';
import type { Executor } from './database.ts';
import type { DB } from './schema.ts';

export type NewAuditEvent = Omit<AuditContent, 'seq'>;

const newSalt = () => randomBytes(16).toString('hex');

/**
 * Appends events to the chain. The head row is updated first, which takes its row lock on PostgreSQL
 * (and the write lock on SQLite), so concurrent transactions append one after another, never forking the chain.
 * Free-text fields are chained as commitments; their cleartext goes to `audit_texts` (domain/audit-seal.ts).
 */
export async function appendAudit(trx: Transaction<DB>, events: readonly NewAuditEvent[]): Promise<void> {
  if (!events.length) return;
  let head = await trx.updateTable('audit_head').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', 1)
    .returning(['seq', 'hash']).executeTakeFirstOrThrow();
  const rows = [];
  const texts = [];
  for (const e of events) {
    const sealed = sealData(e.data, newSalt);
    const content: AuditContent = { ...e, data: sealed.data, seq: Number(head.seq) + 1 };
    const hash = chainHash(head.hash, content);
    rows.push({
      seq: content.seq, case_id: e.caseId, type: e.type, actor: e.actor, at: e.at.getTime(),
      data: JSON.stringify(sealed.data), prev_hash: head.hash, hash,
    });
    texts.push(...sealed.texts.map((t) => ({ seq: content.seq, case_id: e.caseId, ...t })));
    head = { seq: content.seq, hash };
  }
  for (let i = 0; i < rows.length; i += 500) await trx.insertInto('audit_events').values(rows.slice(i, i + 500)).execute(); // SQLite: ≤ 32,766 parameters
  for (let i = 0; i < texts.length; i += 500) {
    await trx.insertInto('audit_texts').values(texts.slice(i, i + 500)).execute();
  }
  await trx.updateTable('audit_head').set({ seq: head.seq, hash: head.hash }).where('id', '=', 1).execute();
}

export async function auditHead(db: Executor): Promise<{ seq: number; hash: string }> {
  const h = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { seq: Number(h.seq), hash: h.hash };
}

/**
 * Events in seq order, `pageSize` at a time (a keyset scan: no OFFSET). By default free text that still exists
 * is put back in place of its commitment; `chained: true` yields the data exactly as hashed (for verification).
 */
export async function* readAudit(
  db: Executor, pageSize = 1000, caseId?: string, opts: { chained?: boolean } = {},
): AsyncGenerator<AuditRecord> {
  let after = -1;
  for (;;) {
    let q = db.selectFrom('audit_events').selectAll().where('seq', '>', after);
    if (caseId) q = q.where('case_id', '=', caseId);
    const rows = await q.orderBy('seq').limit(pageSize).execute();
    const texts = opts.chained || !rows.length
      ? new Map<number, SealedText[]>() : await textsOf(db, rows.map((r) => Number(r.seq)));
    for (const r of rows) {
      const stored = JSON.parse(r.data);
      const sealed = texts.get(Number(r.seq));
      yield {
        seq: Number(r.seq), caseId: r.case_id, type: r.type, actor: r.actor, at: new Date(r.at),
        data: sealed ? unsealData(stored, sealed) : stored, prevHash: r.prev_hash, hash: r.hash,
      };
    }
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

async function textsOf(db: Executor, seqs: number[]): Promise<Map<number, SealedText[]>> {
  const rows = await db.selectFrom('audit_texts').select(['seq', 'field', 'salt', 'value'])
    .where('seq', '>=', Math.min(...seqs)).where('seq', '<=', Math.max(...seqs)).execute();
  const map = new Map<number, SealedText[]>();
  for (const r of rows) {
    map.set(Number(r.seq), [...(map.get(Number(r.seq)) ?? []), { field: r.field, salt: r.salt, value: r.value }]);
  }
  return map;
}

/** Deletes the cleartext of a case's sealed audit fields; the chain keeps the commitments. Returns how many. */
export async function redactAuditTexts(db: Executor, caseId: string): Promise<number> {
  const res = await db.deleteFrom('audit_texts').where('case_id', '=', caseId).executeTakeFirst();
  return Number(res.numDeletedRows);
}
