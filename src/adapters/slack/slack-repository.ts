/**
 * Slack's tables (migration 0005): the triage message of each case and the posts made for outbox rows. Row ↔ value
 * mapping lives only here. (Request keys and notes: db/request-keys.ts, db/note-repository.ts.)
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

