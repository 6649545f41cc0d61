/**
 * The outbox table. Rows are enqueued in the transaction of the decision that caused them; deliverers claim
 * them with single statements (a lease), so two deliverers never hold the same row.
 */
import { sql } from 'kysely';
import type { Dialect, Executor } from './database.ts';

/** `imap`: a copy of a sent mail appended to the Sent folder (a secondary step after the send). */
export type OutboxChannel = 'mail' | 'slack' | 'log' | 'imap';
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed';

export interface NewOutboxRow {
  id: string;
  caseId: string | null;
  channel: OutboxChannel;
  kind: string;
  /** Unique: enqueueing the same effect twice (a retried request, a double click) stores it once. */
  idempotencyKey: string;
  payload: Record<string, unknown>;
  /** An event to apply to the case once the transport confirmed (e.g. an extension notice took effect). */
  onSent?: string | null;
  notBefore: Date;
}

export interface OutboxRow {
  id: string;
  caseId: string | null;
  channel: OutboxChannel;
  kind: string;
  idempotencyKey: string;
  payload: Record<string, unknown>;
  onSent: string | null;
  state: OutboxState;
  attempts: number;
  createdAt: Date;
  leaseOwner: string | null;
  lastError: string | null;
  transportRef: string | null;
  sentAt: Date | null;
}

/** Inserts rows; a row whose idempotency key exists already is skipped. Returns how many were new. */
export async function enqueue(db: Executor, rows: readonly NewOutboxRow[], now: Date): Promise<number> {
  let added = 0;
  for (const r of rows) {
    const res = await db.insertInto('outbox').values({
      id: r.id, case_id: r.caseId, channel: r.channel, kind: r.kind, idempotency_key: r.idempotencyKey,
      payload: JSON.stringify(r.payload), on_sent: r.onSent ?? null, state: 'pending', attempts: 0,
      next_attempt_at: r.notBefore.getTime(), lease_owner: null, lease_until: null, last_error: null,
      transport_ref: null, created_at: now.getTime(), sent_at: null, failed_at: null,
    }).onConflict((oc) => oc.column('idempotency_key').doNothing()).executeTakeFirst();
    added += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

/**
 * Claims up to `limit` due rows for `owner` until `now + leaseMs`, in one statement per step:
 * first rows whose lease ran out (a crashed deliverer) go back to pending, then due rows are taken.
 * PostgreSQL: FOR UPDATE SKIP LOCKED lets concurrent deliverers take disjoint rows without waiting.
 */
export async function claimDue(
  db: Executor, dialect: Dialect, opts: { owner: string; now: Date; leaseMs: number; limit: number },
): Promise<OutboxRow[]> {
  const now = opts.now.getTime();
  // A claim ends with its lease, or as soon as its owner's liveness lease (`alive:<owner>`, see liveness.ts)
  // ran out: a killed deliverer's rows are taken over within the liveness TTL, not the row lease.
  await db.updateTable('outbox').set({ state: 'pending', lease_owner: null, lease_until: null })
    .where('state', '=', 'sending')
    .where((eb) => eb.or([eb('lease_until', '<=', now), eb.exists(eb.selectFrom('leases').select('leases.name')
      .where('leases.name', 'like', 'alive:%').where('leases.until', '<=', now)
      .where(sql<string>`substr(${sql.lit('alive:')} || outbox.lease_owner || ${sql.lit(':')}, 1, length(leases.name) + 1)`,
        '=', sql<string>`leases.name || ${sql.lit(':')}`))]))
    .execute();
  const rows = await db.updateTable('outbox')
    .set((eb) => ({ state: 'sending', lease_owner: opts.owner, lease_until: now + opts.leaseMs, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', (eb) => {
      let sub = eb.selectFrom('outbox').select('id').where('state', '=', 'pending').where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at').limit(opts.limit);
      if (dialect === 'postgres') sub = sub.forUpdate().skipLocked();
      return sub;
    })
    // No outer state filter: it would make SQLite scan every pending row instead of fetching the ids it chose.
    // The statement is atomic under SQLite's single writer, and PostgreSQL re-checks locked rows (SKIP LOCKED).
    .returningAll().execute();
  return rows.map(fromRow).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

/** Marks a claimed row sent. False when the lease was lost meanwhile (the row was reclaimed). */
export async function markSent(db: Executor, id: string, owner: string, ref: string | null, now: Date): Promise<boolean> {
  const res = await db.updateTable('outbox')
    .set({ state: 'sent', sent_at: now.getTime(), transport_ref: ref, lease_owner: null, lease_until: null, last_error: null })
    .where('id', '=', id).where('lease_owner', '=', owner).where('state', '=', 'sending').executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function markRetry(db: Executor, id: string, owner: string, at: Date, error: string): Promise<void> {
  await db.updateTable('outbox')
    .set({ state: 'pending', next_attempt_at: at.getTime(), lease_owner: null, lease_until: null, last_error: error })
    .where('id', '=', id).where('lease_owner', '=', owner).execute();
}

export async function markFailed(db: Executor, id: string, owner: string, error: string, now: Date): Promise<boolean> {
  const res = await db.updateTable('outbox')
    .set({ state: 'failed', failed_at: now.getTime(), lease_owner: null, lease_until: null, last_error: error })
    .where('id', '=', id).where('lease_owner', '=', owner).where('state', '=', 'sending').executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Gives back every row claimed by `owner` or its workers (`owner:…`): the owner is known to be dead. */
export async function releaseClaimsOf(db: Executor, owner: string): Promise<number> {
  const res = await db.updateTable('outbox').set({ state: 'pending', lease_owner: null, lease_until: null })
    .where('state', '=', 'sending')
    .where((eb) => eb.or([eb('lease_owner', '=', owner), eb(sql`substr(lease_owner, 1, ${owner.length + 1})`, '=', `${owner}:`)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function listOutbox(db: Executor, f: { caseId?: string; state?: OutboxState } = {}): Promise<OutboxRow[]> {
  let q = db.selectFrom('outbox').selectAll();
  if (f.caseId) q = q.where('case_id', '=', f.caseId);
  if (f.state) q = q.where('state', '=', f.state);
  return (await q.orderBy('created_at').orderBy('id').execute()).map(fromRow);
}

function fromRow(r: {
  id: string; case_id: string | null; channel: string; kind: string; idempotency_key: string; payload: string;
  on_sent: string | null; state: string; attempts: number; created_at: number; lease_owner: string | null;
  last_error: string | null; transport_ref: string | null; sent_at: number | null;
}): OutboxRow {
  return {
    id: r.id, caseId: r.case_id, channel: r.channel as OutboxChannel, kind: r.kind, idempotencyKey: r.idempotency_key,
    payload: JSON.parse(r.payload), onSent: r.on_sent, state: r.state as OutboxState, attempts: Number(r.attempts),
    createdAt: new Date(Number(r.created_at)), leaseOwner: r.lease_owner, lastError: r.last_error,
    transportRef: r.transport_ref, sentAt: r.sent_at === null ? null : new Date(Number(r.sent_at)),
  };
}
