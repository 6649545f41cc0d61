/**
 * What the team does to a case from Slack: take, assign, note, apply a workflow event, reply, escalate, override a
 * clock. Each is one transaction (load → decide → save + audit + outbox) that first claims the delivery's key, so a
 * double click, a resubmitted modal or a Slack retry has its effect once; a refusal rolls the claim back.
 */
import type { Transaction } from 'kysely';
import { appendAudit } from '../adapters/db/audit-log.ts';
import {
  findCaseByNumber, findCaseBySource, getDeadlines, getPauses, getPrivate, saveDeadlines, StaleCaseError, updateCase,
} from '../adapters/db/case-repository.ts';
import { threadOf } from '../adapters/db/mail-repository.ts';
import { enqueue } from '../adapters/db/outbox-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import { claimKey, insertNote } from '../adapters/slack/slack-repository.ts';
import type { Case } from '../domain/case.ts';
import { dateInZone } from '../domain/local-date.ts';
import type { Language } from '../domain/vocabulary.ts';
import { allowedEvents } from '../domain/workflow/interpreter.ts';
import { caseDeadlines, withDeadlines } from './case-clocks.ts';
import { recordCaseEventIn } from './case-events.ts';
import { caseNotice, dpoAlert, mailToRequester, MailContextError } from './compose-mail.ts';
import type { Actor, AppDeps, Result } from './deps.ts';
import { persistEffects } from './effects.ts';
import { openCaseIn, type OpenCaseInput, type OpenedCase } from './open-case.ts';
import { replanReminders } from './plan-reminders.ts';

/** Who acts on which case, under which delivery key (`slack:view:<id>`, `slack:cmd:<trigger>`, `slack:event:<id>`). */
export interface CommandInput {
  caseNumber: string;
  actor: Actor;
  key: string;
}

/** `duplicate`: the key was handled before, nothing changed now; `mails`: mails queued to the data subject. */
export type CommandOutcome = Result<{ case: Case; duplicate: boolean; mails?: number }>;

type Body = (trx: Transaction<DB>, c: Case) => Promise<Result<{ case: Case; mails?: number }>>;

class Refusal extends Error {
  constructor(readonly result: Extract<CommandOutcome, { ok: false }>) {
    super(result.message);
  }
}

const refuse = (code: string, message: string) => ({ ok: false as const, code, message });

/** Runs `body` once per key; retried when another writer saved the case meanwhile (optimistic versions). */
async function once(deps: AppDeps, input: CommandInput, now: Date, body: Body): Promise<CommandOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.database.db.transaction().execute(async (trx): Promise<CommandOutcome> => {
        const c = await findCaseByNumber(trx, input.caseNumber);
        if (!c) return refuse('CASE_NOT_FOUND', `No case ${input.caseNumber}.`);
        if (!(await claimKey(trx, input.key, c.id, now))) return { ok: true, case: c, duplicate: true };
        const r = await body(trx, c);
        if (!r.ok) throw new Refusal(r);
        return { ...r, duplicate: false };
      });
    } catch (e) {
      if (e instanceof Refusal) return e.result;
      if (e instanceof MailContextError) return refuse('TEMPLATE_CONTEXT_INVALID', `The ${e.template} mail needs more: ${e.message}`);
      if (e instanceof StaleCaseError && attempt < 3) continue;
      throw e;
    }
  }
}

/** Takes the case for the actor; a request nobody started is started (its clock runs anyway). */
export function takeCase(deps: AppDeps, input: CommandInput, now: Date): Promise<CommandOutcome> {
  return once(deps, input, now, async (trx, c) => {
    if (c.closedAt) return refuse('CASE_CLOSED', `${c.number} is closed.`);
    const starts = c.state === deps.workflows[c.kind].initial
      && allowedEvents(deps.workflows[c.kind], c.state, input.actor.role).includes('WorkStarted');
    const owned = c.owner === input.actor.id ? c : await setOwner(trx, deps, c, input.actor.id, input, now, !starts);
    if (!starts) return { ok: true, case: owned };
    return recordCaseEventIn(trx, deps, { caseNumber: c.number, type: 'WorkStarted', actor: input.actor, idempotencyKey: input.key }, now);
  });
}

/** Gives the case to another member of the team (a Slack user id). */
export function assignCase(deps: AppDeps, input: CommandInput & { owner: string }, now: Date): Promise<CommandOutcome> {
  return once(deps, input, now, async (trx, c) => {
    if (c.closedAt) return refuse('CASE_CLOSED', `${c.number} is closed.`);
    if (!/^[UW][A-Z0-9]+$/.test(input.owner)) return refuse('OWNER_INVALID', 'Assign to a Slack user, e.g. @someone.');
    return { ok: true, case: c.owner === input.owner ? c : await setOwner(trx, deps, c, input.owner, input, now, true) };
  });
}

async function setOwner(trx: Transaction<DB>, deps: AppDeps, c: Case, owner: string, input: CommandInput, now: Date, notice: boolean) {
  const saved = await updateCase(trx, { ...c, owner, updatedAt: now });
  await persistEffects(trx, {
    outbox: notice ? [caseNotice(deps, saved, 'case-updated', `${input.key}:owner`, now, { event: 'OwnerAssigned', by: input.actor.id })] : [],
    audit: [{ caseId: c.id, type: 'OwnerAssigned', actor: input.actor.id, at: now, data: { owner, previous: c.owner } }],
  }, now);
  return saved;
}

/** A private note: stored apart, never posted to a channel (the thread only learns that a note was added). */
export function addCaseNote(deps: AppDeps, input: CommandInput & { text: string }, now: Date): Promise<CommandOutcome> {
  return once(deps, input, now, async (trx, c) => {
    const text = input.text.trim();
    if (!text) return refuse('NOTE_EMPTY', 'A note needs text.');
    const id = deps.newId();
    await insertNote(trx, { id, caseId: c.id, author: input.actor.id, text, createdAt: now });
    await persistEffects(trx, {
      outbox: [caseNotice(deps, c, 'case-updated', `${input.key}:note`, now, { event: 'NoteAdded', by: input.actor.id })],
      audit: [{ caseId: c.id, type: 'NoteAdded', actor: input.actor.id, at: now, data: { noteId: id } }],
    }, now);
    return { ok: true, case: c };
  });
}

/** A workflow event (verify, resume, extend, close, answer…), optionally writing to the data subject in `language`. */
export function applyCaseEvent(
  deps: AppDeps, input: CommandInput & { type: string; fields?: Record<string, unknown>; language?: Language }, now: Date,
): Promise<CommandOutcome> {
  return once(deps, input, now, async (trx, c) => {
    if (input.language && input.language !== c.language) await changeLanguage(trx, c, input.language, input.actor, now);
    const r = await recordCaseEventIn(trx, deps, {
      caseNumber: c.number, type: input.type, actor: input.actor, fields: input.fields ?? {}, idempotencyKey: input.key,
    }, now);
    return r.ok ? { ...r, mails: await mailsQueued(trx, input.key) } : r;
  });
}

async function changeLanguage(trx: Transaction<DB>, c: Case, language: Language, actor: Actor, now: Date): Promise<Case> {
  const saved = await updateCase(trx, { ...c, language, updatedAt: now });
  await appendAudit(trx, [{ caseId: c.id, type: 'LanguageChanged', actor: actor.id, at: now, data: { from: c.language, to: language } }]);
  return saved;
}

async function mailsQueued(trx: Transaction<DB>, key: string): Promise<number> {
  const rows = await trx.selectFrom('outbox').select('id').where('channel', '=', 'mail').where('idempotency_key', 'like', `${key}:%`).execute();
  return rows.length;
}

/** The replies offered in Slack: a workflow event whose template is the mail, or a mail that changes no state. */
export const REPLY_OPTIONS: Record<string, { event: string | null; label: string }> = {
  'identity-request': { event: 'IdentityRequested', label: 'Ask for proof of identity (pauses the clock)' },
  'clarification-request': { event: 'ClarificationRequested', label: 'Ask to clarify the request (pauses the clock)' },
  answer: { event: 'Answered', label: 'Answer the request' },
  refusal: { event: 'Refused', label: 'Refuse the request (DPO)' },
  'breach-subject-notice': { event: 'SubjectsNotified', label: 'Tell the affected people (DPO)' },
  acknowledgement: { event: null, label: 'Send the acknowledgement again' },
};

/** The replies `role` may send on `c` now. */
export function replyOptions(deps: Pick<AppDeps, 'workflows'>, c: Case, role: Actor['role']): string[] {
  const allowed = allowedEvents(deps.workflows[c.kind], c.state, role);
  return Object.entries(REPLY_OPTIONS)
    .filter(([, o]) => (o.event ? allowed.includes(o.event) : c.kind === 'request' && !c.closedAt && role !== 'manager'))
    .map(([name]) => name);
}

/** The mail templates a reply option renders (an answer has one per request type). */
export function replyTemplates(c: Case, option: string): string[] {
  return option === 'answer' ? c.requestTypes.map((t) => `answer-${t.replace(/_/g, '-')}`) : [option];
}

export interface ReplyInput extends CommandInput {
  option: string;
  language: Language;
  fields: Record<string, unknown>;
}

/** Sends a reply: its workflow event (the template goes out with it) or, for a stateless mail, just the mail. */
export function sendReply(deps: AppDeps, input: ReplyInput, now: Date): Promise<CommandOutcome> {
  const option = REPLY_OPTIONS[input.option];
  if (!option) return Promise.resolve(refuse('REPLY_UNKNOWN', `No reply "${input.option}".`));
  const fields = { ...input.fields };
  if (option.event === 'Answered' && !fields.outcome) fields.outcome = 'answered';
  if (option.event) return applyCaseEvent(deps, { ...input, type: option.event, fields }, now);
  return once(deps, input, now, async (trx, loaded) => {
    const c = input.language !== loaded.language ? await changeLanguage(trx, loaded, input.language, input.actor, now) : loaded;
    const mail = mailToRequester(deps, {
      case: c, private: (await getPrivate(trx, c.id))!, deadlines: await getDeadlines(trx, c.id), templates: [input.option],
      fields, key: input.key, actor: input.actor.id, now, thread: await threadOf(trx, c.id),
    });
    const notice = caseNotice(deps, c, 'case-updated', `${input.key}:notice`, now, { event: 'MailQueued', by: input.actor.id });
    await persistEffects(trx, { outbox: [notice, ...mail.outbox], audit: mail.audit }, now);
    return { ok: true, case: c, mails: mail.outbox.length };
  });
}

/** Marks that a reply was drafted (the DPO's "no reply drafted yet" reminder is then suppressed). */
export function markReplyDrafted(deps: AppDeps, input: CommandInput & { templates: string[] }, now: Date): Promise<CommandOutcome> {
  return once(deps, input, now, async (trx, c) => {
    await appendAudit(trx, [{ caseId: c.id, type: 'ReplyDrafted', actor: input.actor.id, at: now, data: { templates: input.templates } }]);
    return { ok: true, case: c };
  });
}

/** Escalates to the DPO (Slack DM + mail); pressing again before the case changed alerts once. */
export function escalateCase(deps: AppDeps, input: CommandInput, now: Date): Promise<CommandOutcome> {
  return once(deps, input, now, async (trx, c) => {
    if (c.closedAt) return refuse('CASE_CLOSED', `${c.number} is closed.`);
    const alert = dpoAlert(deps, {
      caseId: c.id, caseNumber: c.number, deliveryFailed: false, key: `escalate:${c.id}:v${c.version}`,
      reason: `escalated from Slack by ${input.actor.id} (${input.actor.role})`,
    }, now);
    if (!(await enqueue(trx, alert, now))) return { ok: true, case: c };
    await persistEffects(trx, {
      outbox: [caseNotice(deps, c, 'case-updated', `${input.key}:escalated`, now, { event: 'Escalated', by: input.actor.id })],
      audit: [{ caseId: c.id, type: 'Escalated', actor: input.actor.id, at: now, data: { to: 'dpo' } }],
    }, now);
    return { ok: true, case: c };
  });
}

/**
 * A DPO corrects the instant a clock runs from — receipt of a request (gdpr-rules §1) or awareness of a breach
 * (Art. 33(1)) — with a rationale; every clock is recomputed and the change audited with both values.
 */
export function overrideDeadline(
  deps: AppDeps, input: CommandInput & { at: Date; rationale: string }, now: Date,
): Promise<CommandOutcome> {
  return once(deps, input, now, async (trx, c) => {
    if (input.actor.role !== 'dpo') return refuse('ROLE_NOT_PERMITTED', 'A deadline override needs the role dpo.');
    if (c.closedAt) return refuse('CASE_CLOSED', `${c.number} is closed.`);
    if (!input.rationale.trim()) return refuse('RATIONALE_REQUIRED', 'A deadline override needs a rationale.');
    if (input.at.getTime() > now.getTime()) return refuse('INSTANT_IN_FUTURE', 'The instant cannot be in the future.');
    const field = c.kind === 'breach' ? 'awareAt' : 'receivedAt';
    const before = c.kind === 'breach' ? c.awareAt : c.receivedAt;
    const next: Case = c.kind === 'breach' ? { ...c, awareAt: input.at }
      : { ...c, receivedAt: input.at, receivedDate: dateInZone(input.at, deps.config.org.timezone) };
    const deadlines = caseDeadlines(deps, next, await getPauses(trx, c.id), now);
    const clocked = withDeadlines({ ...next, updatedAt: now }, deadlines, input.actor.id, now);
    await saveDeadlines(trx, c.id, deadlines, now);
    const saved = await updateCase(trx, clocked.case);
    await replanReminders(trx, deps, saved, deadlines, now);
    await persistEffects(trx, {
      outbox: [caseNotice(deps, saved, 'case-updated', `${input.key}:deadline`, now, { event: 'DeadlineOverridden', by: input.actor.id })],
      audit: [{
        caseId: c.id, type: 'DeadlineOverridden', actor: input.actor.id, at: now,
        data: { field, from: before?.toISOString() ?? null, to: input.at.toISOString(), rationale: input.rationale.trim() },
      }, ...clocked.audit],
    }, now);
    return { ok: true, case: saved };
  });
}

/**
 * Opens a case entered in Slack — once per source (`slack:view:<id>`, `slack:msg:<channel>:<ts>`) — and records
 * how it reached the organisation (phone, letter…) and who typed it in, in the same transaction.
 */
export async function openCaseFromSlack(
  deps: AppDeps, input: OpenCaseInput, intake: Record<string, string | number | boolean | string[] | null>, now: Date,
): Promise<OpenedCase> {
  try {
    return await deps.database.db.transaction().execute(async (trx) => {
      const opened = await openCaseIn(trx, deps, input, now);
      if (opened.created) {
        await appendAudit(trx, [{ caseId: opened.case.id, type: 'IntakeRecorded', actor: input.actor.id, at: now, data: intake }]);
      }
      return opened;
    });
  } catch (e) {
    // Two submissions at the same moment (PostgreSQL): the second one's insert hits the unique source key.
    const existing = input.sourceKey ? await findCaseBySource(deps.database.db, input.sourceKey) : null;
    if (!existing) throw e;
    return { case: existing, deadlines: await getDeadlines(deps.database.db, existing.id), created: false };
  }
}
