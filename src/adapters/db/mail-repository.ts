/** The mail intake's tables: raw inbox rows, the IMAP watermark, case Message-IDs, participants, auto-mail log. */
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { InboxMessagesTable } from './schema.ts';

export type InboxState = 'received' | 'processed' | 'quarantined' | 'ignored';

export interface InboxRow {
  id: string;
  dedupeKey: string;
  source: string;
  mailbox: string | null;
  uidValidity: number | null;
  uid: number | null;
  raw: Uint8Array;
  sha256: string;
  deliveredAt: Date;
  state: InboxState;
  action: string | null;
  reason: string | null;
  caseId: string | null;
  movedTo: string | null;
}

function fromRow(r: Selectable<InboxMessagesTable>): InboxRow {
  return {
    id: r.id, dedupeKey: r.dedupe_key, source: r.source, mailbox: r.mailbox,
    uidValidity: r.uid_validity === null ? null : Number(r.uid_validity), uid: r.uid === null ? null : Number(r.uid),
    raw: r.raw, sha256: r.sha256, deliveredAt: new Date(Number(r.delivered_at)), state: r.state as InboxState,
    action: r.action, reason: r.reason, caseId: r.case_id, movedTo: r.moved_to,
  };
}

/** A hash of an address: lets a case tag be matched to a known participant without storing the address again. */
export function addressHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

export interface NewInboxMessage {
  id: string;
  dedupeKey: string;
  sha256: string;
  source: 'imap' | 'file';
  mailbox: string | null;
  uidValidity: number | null;
  uid: number | null;
  raw: Uint8Array;
  deliveredAt: Date;
}

/**
 * Stores a raw message before anything else is done with it. Returns the row — the existing one when the same
 * message (by Message-ID/hash, or by mailbox/UIDVALIDITY/UID) was stored already.
 */
export async function storeInbox(db: Executor, m: NewInboxMessage, now: Date): Promise<{ row: InboxRow; duplicate: boolean }> {
  const res = await db.insertInto('inbox_messages').values({
    id: m.id, dedupe_key: m.dedupeKey, sha256: m.sha256, source: m.source, mailbox: m.mailbox,
    uid_validity: m.uidValidity, uid: m.uid, raw: asBuffer(m.raw), size: m.raw.byteLength,
    delivered_at: m.deliveredAt.getTime(), state: 'received', action: null, reason: null, case_id: null,
    moved_to: null, created_at: now.getTime(), processed_at: null,
  }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  if (Number(res.numInsertedOrUpdatedRows ?? 0) === 1) {
    // The row as inserted, without reading the bytes back (a large message would be copied once more).
    return { row: {
      id: m.id, dedupeKey: m.dedupeKey, source: m.source, mailbox: m.mailbox, uidValidity: m.uidValidity, uid: m.uid,
      raw: m.raw, sha256: m.sha256, deliveredAt: m.deliveredAt, state: 'received', action: null, reason: null, caseId: null,
      movedTo: null,
    }, duplicate: false };
  }
  const existing = await db.selectFrom('inbox_messages').selectAll().where('dedupe_key', '=', m.dedupeKey).executeTakeFirst()
    ?? await db.selectFrom('inbox_messages').selectAll().where('mailbox', '=', m.mailbox).where('uid_validity', '=', m.uidValidity)
      .where('uid', '=', m.uid).executeTakeFirstOrThrow();
  return { row: fromRow(existing), duplicate: true };
}

/** A Buffer view of the bytes, not a copy: a 20 MB message should be held as few times as possible. */
function asBuffer(raw: Uint8Array): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

export async function getInbox(db: Executor, id: string): Promise<InboxRow | null> {
  const r = await db.selectFrom('inbox_messages').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : null;
}

export async function listInbox(db: Executor, f: { state?: InboxState; unmoved?: boolean } = {}): Promise<InboxRow[]> {
  let q = db.selectFrom('inbox_messages').selectAll();
  if (f.state) q = q.where('state', '=', f.state);
  if (f.unmoved) q = q.where('moved_to', 'is', null).where('source', '=', 'imap').where('state', '!=', 'received');
  return (await q.orderBy('created_at').orderBy('id').execute()).map(fromRow);
}

/** Settles a stored message; only a row still `received` is settled (a second processor changes nothing). */
export async function settleInbox(
  db: Executor, id: string, s: { state: Exclude<InboxState, 'received'>; action: string; reason: string | null; caseId: string | null }, now: Date,
): Promise<boolean> {
  const res = await db.updateTable('inbox_messages')
    .set({ state: s.state, action: s.action, reason: s.reason, case_id: s.caseId, processed_at: now.getTime() })
    .where('id', '=', id).where('state', '=', 'received').executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function markMoved(db: Executor, id: string, folder: string): Promise<void> {
  await db.updateTable('inbox_messages').set({ moved_to: folder }).where('id', '=', id).execute();
}

export async function getWatermark(db: Executor, mailbox: string): Promise<{ uidValidity: number; lastUid: number } | null> {
  const r = await db.selectFrom('imap_state').selectAll().where('mailbox', '=', mailbox).executeTakeFirst();
  return r ? { uidValidity: Number(r.uid_validity), lastUid: Number(r.last_uid) } : null;
}

/** Sets the watermark; a new UIDVALIDITY starts again from 0 (messages are then re-seeded by Message-ID/hash). */
export async function setWatermark(db: Executor, mailbox: string, uidValidity: number, lastUid: number): Promise<void> {
  await db.insertInto('imap_state').values({ mailbox, uid_validity: uidValidity, last_uid: lastUid })
    .onConflict((oc) => oc.column('mailbox').doUpdateSet({ uid_validity: uidValidity, last_uid: lastUid })).execute();
}

export async function recordCaseMessage(db: Executor, caseId: string, messageId: string, direction: 'in' | 'out', now: Date) {
  await db.insertInto('case_messages').values({ message_id: messageId, case_id: caseId, direction, created_at: now.getTime() })
    .onConflict((oc) => oc.columns(['message_id', 'case_id']).doNothing()).execute();
}

/** The case a stored Message-ID belongs to; ids are tried in the order given (References right to left). */
export async function caseOfMessageIds(db: Executor, ids: readonly string[]): Promise<{ caseId: string; direction: string } | null> {
  if (!ids.length) return null;
  const rows = await db.selectFrom('case_messages').select(['message_id', 'case_id', 'direction']).where('message_id', 'in', [...ids]).execute();
  for (const id of ids) {
    const hit = rows.find((r) => r.message_id === id);
    if (hit) return { caseId: hit.case_id, direction: hit.direction };
  }
  return null;
}

export async function addParticipant(db: Executor, caseId: string, email: string, role: string): Promise<void> {
  await db.insertInto('case_participants').values({ case_id: caseId, address_hash: addressHash(email), role })
    .onConflict((oc) => oc.columns(['case_id', 'address_hash']).doNothing()).execute();
}

export async function isParticipant(db: Executor, caseId: string, email: string): Promise<boolean> {
  const r = await db.selectFrom('case_participants').select('role').where('case_id', '=', caseId)
    .where('address_hash', '=', addressHash(email)).executeTakeFirst();
  return Boolean(r);
}

/** How many automatic mails went to an address since `since` (loop protection cap). */
export async function autoMailsSince(db: Executor, email: string, since: Date): Promise<number> {
  const r = await db.selectFrom('auto_mail_log').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('address_hash', '=', addressHash(email)).where('sent_at', '>=', since.getTime()).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function logAutoMail(db: Executor, id: string, email: string, now: Date): Promise<void> {
  await db.insertInto('auto_mail_log').values({ id, address_hash: addressHash(email), sent_at: now.getTime() }).execute();
}

/**
 * How a reply threads (RFC 5322 §3.6.4): In-Reply-To the data subject's latest message, References every
 * message of the case in order (capped, keeping the first and the most recent).
 */
export async function threadOf(db: Executor, caseId: string): Promise<{ inReplyTo: string; references: string[] } | null> {
  const rows = await db.selectFrom('case_messages').select(['message_id', 'direction']).where('case_id', '=', caseId)
    .orderBy('created_at').orderBy('message_id').execute();
  const inbound = rows.filter((r) => r.direction === 'in');
  if (!inbound.length) return null;
  const ids = rows.map((r) => `<${r.message_id}>`);
  const references = ids.length > 10 ? [ids[0]!, ...ids.slice(-9)] : ids;
  return { inReplyTo: `<${inbound[inbound.length - 1]!.message_id}>`, references };
}
