/**
 * What retention reads and removes (gdpr-rules §7). Redaction keeps every row that proves what was done — the
 * case facts, the clocks, the audit chain, the hashes of participants' addresses, the outbox rows with their
 * send times and Message-IDs — and removes the words and identities in them.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import type { Executor } from './database.ts';
import type { DB } from './schema.ts';

export const REDACTED_PAYLOAD = '{"redacted":true}';
const TERMINAL = ['sent', 'failed'];

export interface RetentionCandidate {
  id: string;
  number: string;
  kind: string;
  closedAt: Date;
  legalHold: boolean;
  contentRedactedAt: Date | null;
  unredactedCopies: boolean;
}

const unredactedCopies = (eb: ExpressionBuilder<DB, 'cases'>) => eb.selectFrom('outbox').select('outbox.id')
  .whereRef('outbox.case_id', '=', 'cases.id').where('outbox.state', 'in', TERMINAL)
  .where('outbox.payload', '<>', REDACTED_PAYLOAD);

/**
 * Closed cases not under hold that may have a step due: closed at or before `closedBefore` with content not yet
 * redacted or facts past `factsBefore`, or redacted with copies of mail sent since (the caller decides). Keyset by id.
 */
export async function retentionCandidates(
  db: Executor, o: { closedBefore: Date; factsBefore: Date; afterId: string | null; limit: number },
): Promise<RetentionCandidate[]> {
  const rows = await db.selectFrom('cases').innerJoin('case_private', 'case_private.case_id', 'cases.id')
    .select(['cases.id', 'cases.number', 'cases.kind', 'cases.closed_at', 'cases.legal_hold'])
    .select('case_private.redacted_at')
    .select((eb) => eb.exists(unredactedCopies(eb)).as('copies'))
    .where('cases.closed_at', 'is not', null).where('cases.legal_hold', '=', 0)
    .where((eb) => eb.or([
      eb.and([eb('cases.closed_at', '<=', o.closedBefore.getTime()),
        eb.or([eb('case_private.redacted_at', 'is', null), eb('cases.closed_at', '<=', o.factsBefore.getTime())])]),
      eb.and([eb('case_private.redacted_at', 'is not', null), eb.exists(unredactedCopies(eb))]),
    ]))
    .$if(o.afterId !== null, (q) => q.where('cases.id', '>', o.afterId!))
    .orderBy('cases.id').limit(o.limit).execute();
  return rows.map((r) => ({
    id: r.id, number: r.number, kind: r.kind, closedAt: new Date(Number(r.closed_at)), legalHold: r.legal_hold === 1,
    contentRedactedAt: r.redacted_at === null ? null : new Date(Number(r.redacted_at)),
    unredactedCopies: Boolean(Number(r.copies)),
  }));
}

/** Whether a case has copies of sent mail not yet redacted. */
export async function hasUnredactedCopies(db: Executor, caseId: string): Promise<boolean> {
  const r = await db.selectFrom('outbox').select('id').where('case_id', '=', caseId).where('state', 'in', TERMINAL)
    .where('payload', '<>', REDACTED_PAYLOAD).limit(1).executeTakeFirst();
  return Boolean(r);
}

/** Locks a case row for the rest of the transaction (PostgreSQL; SQLite has one writer anyway). */
export async function lockCase(db: Executor, dialect: 'sqlite' | 'postgres', caseId: string): Promise<void> {
  if (dialect === 'postgres') await db.selectFrom('cases').select('id').where('id', '=', caseId).forUpdate().execute();
}

/** Closed cases whose content would be due but a legal hold keeps (for the purge report). */
export async function heldCount(db: Executor, closedBefore: Date): Promise<number> {
  const r = await db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('closed_at', 'is not', null).where('closed_at', '<=', closedBefore.getTime()).where('legal_hold', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface Redacted {
  private: number;
  notes: number;
  mails: number;
  copies: number;
  auditTexts: number;
}

/**
 * Removes what the data subject wrote and who they are: the private row's fields, notes, the raw bytes of the
 * case's inbound mail (the row stays: its Message-ID and hash keep the message from being taken twice), the
 * payloads of outbox rows already sent or failed (a queued row is left to be sent), and the cleartext of the
 * case's sealed audit fields. A breach keeps its register entry (GDPR Art. 33(5): the facts, effects, remedial
 * action, decisions and their reasoning) — its description and the reasons in its audit trail — until its facts
 * go; only the reporter's identity, notes, raw mail and sent copies go now.
 */
export async function redactCaseContent(
  db: Executor, caseId: string, now: Date, o: { keepRegister?: boolean } = {},
): Promise<Redacted> {
  const register = o.keepRegister ? {} : { subject: null, content: null };
  const priv = await db.updateTable('case_private').set({
    requester_email: null, requester_name: null, requester_address: null, ...register, redacted_at: now.getTime(),
  }).where('case_id', '=', caseId).where('redacted_at', 'is', null).executeTakeFirst();
  const notes = await db.deleteFrom('case_notes').where('case_id', '=', caseId).executeTakeFirst();
  const mails = await dropRawMail(db, caseId, null);
  const copies = await db.updateTable('outbox').set({ payload: REDACTED_PAYLOAD, last_error: null })
    .where('case_id', '=', caseId).where('state', 'in', TERMINAL).where('payload', '<>', REDACTED_PAYLOAD)
    .executeTakeFirst();
  const texts = o.keepRegister ? { numDeletedRows: 0n }
    : await db.deleteFrom('audit_texts').where('case_id', '=', caseId).executeTakeFirst();
  return {
    private: Number(priv.numUpdatedRows), notes: Number(notes.numDeletedRows), mails,
    copies: Number(copies.numUpdatedRows), auditTexts: Number(texts.numDeletedRows),
  };
}

/** Empties the raw bytes of a case's inbound mail (stored after `since`, or all); returns how many. */
export async function dropRawMail(db: Executor, caseId: string, since: Date | null): Promise<number> {
  const res = await db.updateTable('inbox_messages').set({ raw: new Uint8Array(0), size: 0 })
    .where('case_id', '=', caseId).where('size', '>', 0)
    .$if(since !== null, (q) => q.where('created_at', '>', since!.getTime()))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Empties the raw bytes of mail that never became part of a case (ignored auto-replies, bounces, quarantined
 * messages nobody filed) stored at or before `before`; the rows stay so a message is never taken twice.
 */
export async function dropCaselessMail(db: Executor, before: Date, dryRun: boolean): Promise<number> {
  if (dryRun) {
    const r = await db.selectFrom('inbox_messages').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('case_id', 'is', null).where('size', '>', 0).where('created_at', '<=', before.getTime())
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
  const res = await db.updateTable('inbox_messages').set({ raw: new Uint8Array(0), size: 0 })
    .where('case_id', 'is', null).where('size', '>', 0).where('created_at', '<=', before.getTime())
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Deletes the case and everything hanging off it; the audit chain (commitments and facts) stays. */
export async function deleteCaseFacts(db: Executor, caseId: string): Promise<void> {
  const tables = ['reminders', 'slack_threads', 'slack_events', 'case_notes', 'case_messages', 'case_participants',
    'case_pauses', 'case_deadlines', 'case_private', 'outbox', 'inbox_messages', 'audit_texts'] as const;
  for (const table of tables) {
    await db.deleteFrom(table).where('case_id', '=', caseId).execute();
  }
  await db.deleteFrom('case_links')
    .where((eb) => eb.or([eb('case_id', '=', caseId), eb('linked_case_id', '=', caseId)])).execute();
  await db.deleteFrom('cases').where('id', '=', caseId).execute();
}

/** Test support for the "nothing half done" claim: rows a case still has in each table. */
export async function caseFootprint(db: Executor, caseId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const tables = ['cases', 'case_private', 'case_deadlines', 'outbox', 'inbox_messages', 'audit_texts', 'case_notes'];
  for (const t of tables) {
    const col = sql.ref(t === 'cases' ? 'id' : 'case_id');
    const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(t)} where ${col} = ${caseId}`.execute(db);
    out[t] = Number(r.rows[0]!.n);
  }
  return out;
}
