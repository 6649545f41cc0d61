/**
 * Reads for Slack: case lists by filter, one case's details, the register, and the preview of a reply rendered by
 * the real mail composer. Nothing here writes; the callers check roles before showing details.
 */
import { findCaseByNumber, getDeadlines, getPrivate, listCases } from '../db/case-repository.ts';
import { eventTemplates } from '../../app/offers.ts';
import { nestFields } from '../../domain/workflow/interpreter.ts';
import { checkReplyFiles, type FileMeta } from '../../app/reply-attachments.ts';
import type { AppDeps } from '../../app/deps.ts';
import { intakeReading } from '../../app/intake-reading.ts';
import type { Case } from '../../domain/case.ts';
import type { Language } from '../../domain/vocabulary.ts';
import { byDeadline } from './blocks/case-facts.ts';
import { defaultOptions, type OptionSource } from './blocks/event-form.ts';
import { listCustomers } from '../db/customer-repository.ts';
import type { ListFilter } from './commands/parse-command.ts';
import { listNotes } from '../db/note-repository.ts';

const WEEK_MS = 7 * 86_400_000;

/** One page of a list: the first cases by deadline (overdue first), and how many there are in all. */
export interface Listing {
  cases: Case[];
  total: number;
  overdue: number;
}

/**
 * Open cases for a filter, a page at a time: the database sorts, limits and counts, so a list stays cheap (it
 * runs right after an ack, on the event loop that acks the next request) however many cases are open.
 */
export async function listing(
  deps: AppDeps, filter: ListFilter, user: string, now: Date, limit = 25,
): Promise<Listing> {
  const db = deps.database.db;
  const t = now.getTime();
  const owner = filter === 'mine' ? user : undefined;
  const n = await counts(deps, t, owner);
  switch (filter) {
    case 'overdue':
      return {
        cases: (await listCases(db, { open: true, dueBefore: new Date(t + 1), limit })).sort(byDeadline),
        total: n.overdue, overdue: n.overdue,
      };
    case 'due-this-week': {
      // Sorted by deadline, the overdue ones come first: skip them by fetching that many more.
      const rows = await listCases(db, { open: true, dueBefore: new Date(t + WEEK_MS + 1), limit: n.overdue + limit });
      return {
        cases: rows.filter((c) => c.governingDueAt && c.governingDueAt.getTime() > t).sort(byDeadline),
        total: n.week, overdue: 0,
      };
    }
    default:
      return {
        cases: (await listCases(db, { open: true, owner, limit })).sort(byDeadline), total: n.total, overdue: n.overdue,
      };
  }
}

/** Open cases (of `owner`): all, overdue at `t`, due within the week after `t` — one statement. */
async function counts(
  deps: AppDeps, t: number, owner?: string,
): Promise<{ total: number; overdue: number; week: number }> {
  const r = await deps.database.db.selectFrom('cases').where('closed_at', 'is', null)
    .$if(owner !== undefined, (q) => q.where('owner', '=', owner!))
    .select((eb) => [
      eb.fn.countAll().as('total'),
      eb.fn.sum(eb.case().when('governing_due_at', '<=', t).then(1).else(0).end()).as('overdue'),
      eb.fn.sum(eb.case()
        .when(eb.and([eb('governing_due_at', '>', t), eb('governing_due_at', '<=', t + WEEK_MS)]))
        .then(1).else(0).end()).as('week'),
    ]).executeTakeFirst();
  return { total: Number(r?.total ?? 0), overdue: Number(r?.overdue ?? 0), week: Number(r?.week ?? 0) };
}

/** Every case, for the register export. */
export async function allCases(deps: AppDeps): Promise<Case[]> {
  return (await listCases(deps.database.db, { limit: 100_000 })).sort((a, b) => a.number.localeCompare(b.number));
}

export async function caseDetails(deps: AppDeps, caseNumber: string) {
  const db = deps.database.db;
  const c = await findCaseByNumber(db, caseNumber);
  if (!c) return null;
  return {
    case: c, private: await getPrivate(db, c.id), notes: await listNotes(db, c.id),
    deadlines: await getDeadlines(db, c.id),
    intake: await intakeReading(deps, c.id),
  };
}

export type Preview = { ok: true; mails: { template: string; subject: string; text: string; to: string | null }[] }
  | { ok: false; message: string; about?: 'files' };

/** Renders a reply (a workflow event's mails) as it would be sent, in `language`; a missing field is named. */
export async function previewReply(
  deps: AppDeps, c: Case, event: string, language: Language, fields: Record<string, unknown>,
  files: readonly FileMeta[] = [],
): Promise<Preview> {
  if (!deps.mail) return { ok: false, message: 'No mail composer is configured: replies cannot be sent.' };
  const templates = eventTemplates(deps.workflows, c, event);
  const checked = checkReplyFiles(templates, nestFields(fields), files, deps.config.mail.maxAttachmentBytes);
  if (!checked.ok) return { ok: false, message: checked.message, about: 'files' };
  const db = deps.database.db;
  const p = await getPrivate(db, c.id);
  const deadlines = await getDeadlines(db, c.id);
  const mails = [];
  for (const template of templates) {
    try {
      const m = deps.mail.compose({
        template, case: { ...c, language }, private: p!, deadlines, fields: checked.fields,
        to: p?.requesterEmail ?? 'nobody@invalid', outboxId: 'preview',
      });
      mails.push({ template, subject: m.subject, text: m.text, to: p?.requesterEmail ?? null });
    } catch (e) {
      return { ok: false, message: `${template}: ${(e as Error).message}`.slice(0, 1900) };
    }
  }
  return { ok: true, mails };
}

/** The choices of fields that take them from the desk's data (`options_from`): request types, languages, customers. */
export async function fieldOptions(deps: AppDeps): Promise<OptionSource> {
  const customers = (await listCustomers(deps.database.db)).map((c) => c.id);
  return (from) => (from === 'customers' ? customers : defaultOptions(from));
}
