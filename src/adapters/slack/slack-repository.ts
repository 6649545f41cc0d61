/**
 * Slack's tables (migration 0005): the triage message of each case, posts made for outbox rows, keys of handled
 * Slack deliveries, and the team's private notes. Row ↔ value mapping lives only here.
 */
import type { Executor } from '../db/database.ts';

/** Where a case's parent message is, and which case version it shows. */
export interface SlackThread {
  caseId: string;
  channel: string;
  ts: string;
  version: number;
  stub: boolean;
}

export interface CaseNote {
  id: string;
  caseId: string;
  author: string;
  text: string;
  createdAt: Date;
}

export async function getThread(db: Executor, caseId: string): Promise<SlackThread | null> {
  const r = await db.selectFrom('slack_threads').selectAll().where('case_id', '=', caseId).executeTakeFirst();
  return r ? { caseId: r.case_id, channel: r.channel, ts: r.ts, version: Number(r.version), stub: Number(r.stub) === 1 } : null;
}

/** The case whose parent message is `ts` in `channel` (a command typed in its thread). */
export async function caseIdOfThread(db: Executor, channel: string, ts: string): Promise<string | null> {
  const r = await db.selectFrom('slack_threads').select('case_id').where('channel', '=', channel).where('ts', '=', ts)
    .executeTakeFirst();
  return r?.case_id ?? null;
}

/** Records a posted parent; the first one recorded wins (a second deliverer's post is left unreferenced). */
export async function saveThread(db: Executor, t: SlackThread, now: Date): Promise<SlackThread> {
  await db.insertInto('slack_threads').values({
    case_id: t.caseId, channel: t.channel, ts: t.ts, version: t.version, stub: t.stub ? 1 : 0, updated_at: now.getTime(),
  }).onConflict((oc) => oc.column('case_id').doNothing()).execute();
  return (await getThread(db, t.caseId))!;
}

export async function markThreadShown(db: Executor, caseId: string, version: number, stub: boolean, now: Date): Promise<void> {
  await db.updateTable('slack_threads').set({ version, stub: stub ? 1 : 0, updated_at: now.getTime() })
    .where('case_id', '=', caseId).execute();
}

export async function findPost(db: Executor, key: string): Promise<{ channel: string; ts: string } | null> {
  const r = await db.selectFrom('slack_posts').select(['channel', 'ts']).where('key', '=', key).executeTakeFirst();
  return r ?? null;
}

export async function savePost(db: Executor, key: string, channel: string, ts: string, now: Date): Promise<void> {
  await db.insertInto('slack_posts').values({ key, channel, ts, created_at: now.getTime() })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
}

/**
 * Claims a delivery key inside the caller's transaction: true the first time, false for a retry or double click.
 * On PostgreSQL a concurrent claim of the same key waits for the first transaction and then sees it.
 */
export async function claimKey(db: Executor, key: string, caseId: string | null, now: Date): Promise<boolean> {
  const res = await db.insertInto('slack_events').values({ key, case_id: caseId, created_at: now.getTime() })
    .onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function insertNote(db: Executor, n: CaseNote): Promise<void> {
  await db.insertInto('case_notes').values({
    id: n.id, case_id: n.caseId, author: n.author, text: n.text, created_at: n.createdAt.getTime(),
  }).execute();
}

export async function listNotes(db: Executor, caseId: string): Promise<CaseNote[]> {
  const rows = await db.selectFrom('case_notes').selectAll().where('case_id', '=', caseId).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, caseId: r.case_id, author: r.author, text: r.text, createdAt: new Date(Number(r.created_at)) }));
}
