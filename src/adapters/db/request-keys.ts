/**
 * Keys of handled client requests (a button press, a modal submission, a retried Slack delivery, a CLI call with
 * a key): claimed in the transaction of the effect, so the same key never has two effects.
 */
import type { Executor } from './database.ts';

/**
 * Claims a delivery key inside the caller's transaction: true the first time, false for a retry or double click.
 * On PostgreSQL a concurrent claim of the same key waits for the first transaction and then sees it.
 */
export async function claimKey(db: Executor, key: string, caseId: string | null, now: Date): Promise<boolean> {
  const res = await db.insertInto('slack_events').values({ key, case_id: caseId, created_at: now.getTime() })
    .onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}
