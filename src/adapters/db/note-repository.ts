/** The team's private notes on a case: stored apart, never posted to a channel. */
import type { Executor } from './database.ts';

export interface CaseNote {
  id: string;
  caseId: string;
  author: string;
  text: string;
  createdAt: Date;
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
