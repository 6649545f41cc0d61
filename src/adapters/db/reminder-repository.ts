/** Reminder rows: planning (idempotent by key), claiming due rows in one statement, acknowledging, counting. */
import { sql, type Selectable } from 'kysely';
import type { Recipient } from '../../domain/reminders.ts';
import type { Dialect, Executor } from './database.ts';
import type { RemindersTable } from './schema.ts';

export type ReminderState = 'planned' | 'queued' | 'sent' | 'suppressed' | 'failed';

export interface ReminderRow {
  id: string;
  caseId: string;
  ruleId: string;
  occurrence: string;
  recipient: Recipient;
  fireAt: Date;
  state: ReminderState;
  pending: number;
  outcome: string | null;
  acknowledgedAt: Date | null;
  sentAt: Date | null;
}

function fromRow(r: Selectable<RemindersTable>): ReminderRow {
  return {
    id: r.id, caseId: r.case_id, ruleId: r.rule_id, occurrence: r.occurrence, recipient: JSON.parse(r.recipients),
    fireAt: new Date(Number(r.fire_at)), state: r.state as ReminderState, pending: Number(r.pending), outcome: r.outcome,
    acknowledgedAt: r.acknowledged_at === null ? null : new Date(Number(r.acknowledged_at)),
    sentAt: r.sent_at === null ? null : new Date(Number(r.sent_at)),
  };
}

export interface NewReminder {
  id: string;
  caseId: string;
  ruleId: string;
  occurrence: string;
  recipient: Recipient;
  fireAt: Date;
}

/** Inserts reminders whose key (case, rule, occurrence) is new; an existing key is left as it is. */
export async function planRows(db: Executor, rows: readonly NewReminder[], now: Date): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const batch = rows.slice(i, i + 200);
    if (!batch.length) continue;
    await db.insertInto('reminders').values(batch.map((r) => ({
      id: r.id, case_id: r.caseId, rule_id: r.ruleId, occurrence: r.occurrence, recipients: JSON.stringify(r.recipient),
      fire_at: r.fireAt.getTime(), state: 'planned', pending: 0, outcome: null, snoozed_until: null,
      acknowledged_by: null, acknowledged_at: null, sent_at: null, created_at: now.getTime(),
    }))).onConflict((oc) => oc.columns(['case_id', 'rule_id', 'occurrence']).doNothing()).execute();
  }
}

/** Future planned rows of a case (the ones a re-plan may move or drop; due ones are left to the sweep). */
export async function futurePlanned(db: Executor, caseId: string, now: Date): Promise<ReminderRow[]> {
  const rows = await db.selectFrom('reminders').selectAll().where('case_id', '=', caseId).where('state', '=', 'planned')
    .where('fire_at', '>', now.getTime()).execute();
  return rows.map(fromRow);
}

export async function dropReminders(db: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length) await db.deleteFrom('reminders').where('id', 'in', [...ids]).where('state', '=', 'planned').execute();
}

export async function setFireAt(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable('reminders').set({ fire_at: at.getTime() }).where('id', '=', id).where('state', '=', 'planned').execute();
}

/**
 * Claims due reminders in one statement (state planned → queued), oldest first. Two sweeps at once never take
 * the same row: PostgreSQL skips rows another sweep holds; SQLite has a single writer.
 */
export async function claimDueReminders(db: Executor, dialect: Dialect, now: Date, limit: number): Promise<ReminderRow[]> {
  const rows = await db.updateTable('reminders').set({ state: 'queued' })
    .where('id', 'in', (eb) => {
      let sub = eb.selectFrom('reminders').select('id').where('state', '=', 'planned').where('fire_at', '<=', now.getTime())
        .orderBy('fire_at').limit(limit);
      if (dialect === 'postgres') sub = sub.forUpdate().skipLocked();
      return sub;
    })
    // No outer state filter: it would make SQLite scan every planned row instead of fetching the ids it chose.
    // The statement is atomic under SQLite's single writer, and PostgreSQL re-checks locked rows (SKIP LOCKED).
    .returningAll().execute();
  return rows.map(fromRow).sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime() || a.id.localeCompare(b.id));
}

export async function settleReminder(db: Executor, id: string, s: { state: ReminderState; pending?: number; outcome?: string | null }) {
  await db.updateTable('reminders').set({ state: s.state, pending: s.pending ?? 0, outcome: s.outcome ?? null }).where('id', '=', id).execute();
}

/** Rows settled alike, one statement per 50 rows (a sweep pass settles hundreds). */
export async function settleReminders(
  db: Executor, ids: readonly string[], s: { state: ReminderState; pending?: number; outcome?: string | null },
) {
  for (const part of chunks([...new Set(ids)])) {
    await db.updateTable('reminders').set({ state: s.state, pending: s.pending ?? 0, outcome: s.outcome ?? null })
      .where('id', 'in', part).execute();
  }
}

/**
 * Confirmed deliveries of queued reminders: one per time an id is listed (a message to a target listed twice
 * carries the id twice, and the row waits for both); the last one makes the row sent. One statement per part, the
 * state checked in its CASEs (every SET sees the row as it was, and on PostgreSQL a row another desk updated
 * meanwhile is re-read under its lock, so two confirmations never both see "2 pending"). Not `where … and state =
 * 'queued'`: with an id list SQLite's planner then takes the state index and walks every queued row (measured:
 * 5–40 ms a statement, growing with the table).
 */
export async function confirmReminders(db: Executor, ids: readonly string[], now: Date): Promise<void> {
  const times = new Map<string, number>();
  for (const id of ids) times.set(id, (times.get(id) ?? 0) + 1);
  const byTimes = new Map<number, string[]>();
  for (const [id, k] of times) byTimes.set(k, (byTimes.get(k) ?? []).concat(id));
  for (const [k, idsK] of byTimes) {
    const last = sql<boolean>`state = 'queued' and pending <= ${k}`;
    for (const part of chunks(idsK)) {
      await db.updateTable('reminders').set({
        pending: sql<number>`case when state = 'queued' then pending - ${k} else pending end`,
        state: sql<string>`case when ${last} then 'sent' else state end`,
        sent_at: sql<number | null>`case when ${last} then ${now.getTime()} else sent_at end`,
      }).where('id', 'in', part).execute();
    }
  }
}

/**
 * Ids in parts of 50: one statement cannot be interrupted, and on SQLite it holds the event loop that acks Slack,
 * so a part stays small; and parts keep under any database's limit on bound parameters.
 */
function chunks(ids: string[], size = 50): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

export async function getReminders(db: Executor, ids: readonly string[]): Promise<ReminderRow[]> {
  if (!ids.length) return [];
  return (await db.selectFrom('reminders').selectAll().where('id', 'in', [...ids]).execute()).map(fromRow);
}

export async function listReminders(db: Executor, f: { caseId?: string; state?: ReminderState } = {}): Promise<ReminderRow[]> {
  let q = db.selectFrom('reminders').selectAll();
  if (f.caseId) q = q.where('case_id', '=', f.caseId);
  if (f.state) q = q.where('state', '=', f.state);
  return (await q.orderBy('fire_at').orderBy('rule_id').orderBy('occurrence').execute()).map(fromRow);
}

/** Whether any step of an escalation chain (the rule and its `>step` rows for the same anchor) was acknowledged. */
export async function chainAcknowledged(db: Executor, caseId: string, baseRule: string, anchor: string): Promise<boolean> {
  const row = await db.selectFrom('reminders').select('id').where('case_id', '=', caseId)
    .where((eb) => eb.or([eb('rule_id', '=', baseRule), eb('rule_id', 'like', `${baseRule}>%`)]))
    .where('occurrence', 'like', `${anchor}:%`).where('acknowledged_at', 'is not', null).executeTakeFirst();
  return Boolean(row);
}

export async function acknowledgeRows(db: Executor, ids: readonly string[], by: string, now: Date): Promise<number> {
  if (!ids.length) return 0;
  const res = await db.updateTable('reminders').set({ acknowledged_by: by, acknowledged_at: now.getTime() })
    .where('id', 'in', [...ids]).where('acknowledged_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function snoozeRow(db: Executor, id: string, until: Date): Promise<void> {
  await db.updateTable('reminders').set({ state: 'planned', fire_at: until.getTime(), snoozed_until: until.getTime(), pending: 0 })
    .where('id', '=', id).execute();
}
