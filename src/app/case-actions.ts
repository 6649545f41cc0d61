/**
 * What a person does to a case from any surface (Slack, the CLI): take, assign, note, any workflow event, a reply,
 * escalate, override a clock, confirm the data subject's address. Each is one transaction that loads the case
 * once, claims the request's key (a double click, a resubmitted modal or a Slack retry has its effect once),
 * checks permission once, applies and saves once. A refusal rolls everything back, the key included.
 */
import type { Transaction } from 'kysely';
import { appendAudit } from '../adapters/db/audit-log.ts';
import {
  findCaseByNumber, getDeadlines, getPauses, saveDeadlines, StaleCaseError, updateCase,
} from '../adapters/db/case-repository.ts';
import { insertNote } from '../adapters/db/note-repository.ts';
import { enqueue } from '../adapters/db/outbox-repository.ts';
import { claimKey } from '../adapters/db/request-keys.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Case } from '../domain/case.ts';
import { dateInZone } from '../domain/local-date.ts';
import type { Language } from '../domain/vocabulary.ts';
import { allowedEvents, transitionFor } from '../domain/workflow/interpreter.ts';
import { authorize, type Ask } from '../domain/workflow/permissions.ts';
import { caseDeadlines, withDeadlines } from './case-clocks.ts';
import { applyCaseEventTo, Refusal } from './apply-event.ts';
import { caseNotice, dpoAlert } from './compose-mail.ts';
import type { Actor, AppDeps, Result } from './deps.ts';
import { persistEffects } from './persist-effects.ts';
import type { ReplyFile } from './reply-attachments.ts';
import { replanReminders } from './plan-reminders.ts';

/** Who acts on which case, under which request key (`slack:view:<id>`, `slack:cmd:<trigger>`, `cli:<uuid>`). */
export interface CommandInput {
  caseNumber: string;
  actor: Actor;
  key: string;
}

/** `duplicate`: the key was handled before, nothing changed now; `mails`: mails queued (never withheld ones). */
export type CommandOutcome = Result<{ case: Case; duplicate: boolean; mails?: number }>;

type Body = (trx: Transaction<DB>, c: Case) => Promise<Result<{ case: Case; mails?: number }>>;

const refuse = (code: string, message: string) => ({ ok: false as const, code, message });

/** Runs `body` once per key after one permission check; retried when another writer saved the case meanwhile. */
export async function onCase(
  deps: AppDeps, input: CommandInput, now: Date, ask: (c: Case) => Ask, body: Body,
): Promise<CommandOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.database.db.transaction().execute(async (trx): Promise<CommandOutcome> => {
        const c = await findCaseByNumber(trx, input.caseNumber);
        if (!c) return refuse('CASE_NOT_FOUND', `No case ${input.caseNumber}.`);
        const allowed = authorize(input.actor.role, ask(c), { user: input.actor.id, owner: c.owner });
        if (!allowed.ok) return refuse('NOT_ALLOWED', allowed.message);
        if (!(await claimKey(trx, input.key, c.id, now))) return { ok: true, case: c, duplicate: true };
        const r = await body(trx, c);
        if (!r.ok) throw new Refusal(r);
        return { ...r, duplicate: false };
      });
    } catch (e) {
      if (e instanceof Refusal) return e.result;
      if (e instanceof StaleCaseError && attempt < 3) continue;
      throw e;
    }
  }
}

const act = (action: Extract<Ask, { action: string }>['action']) => (): Ask => ({ action });

/**
 * Takes the case for the actor — a request nobody started is started (its clock runs anyway) — with one read and
 * one write of the case row. Another agent's case is its owner's or the DPO's to hand over.
 */
export function takeCase(deps: AppDeps, input: CommandInput, now: Date): Promise<CommandOutcome> {
  return onCase(deps, input, now, act('take'), async (trx, c) => {
    if (c.closedAt) return refuse('CASE_CLOSED', `${c.number} is closed.`);
    const wf = deps.workflows.of(c);
    const starts = c.state === wf.initial && allowedEvents(wf, c, actorRole(input.actor)).includes('WorkStarted');
    const owned = { ...c, owner: input.actor.id };
    const audit = c.owner === input.actor.id ? []
      : [{
        caseId: c.id, type: 'OwnerAssigned', actor: input.actor.id, at: now,
        data: { owner: input.actor.id, previous: c.owner },
      }];
    if (!starts) {
      if (!audit.length) return { ok: true, case: c };
      const saved = await updateCase(trx, { ...owned, updatedAt: now });
      await persistEffects(trx, { outbox: [ownerNotice(deps, saved, input, now)], audit }, now);
      return { ok: true, case: saved };
    }
    await appendAudit(trx, audit);
    return applyCaseEventTo(trx, deps, owned, { type: 'WorkStarted', actor: input.actor, key: input.key }, now);
  });
}

const actorRole = (a: Actor) => (a.role === 'viewer' ? 'manager' : a.role);

const ownerNotice = (deps: AppDeps, c: Case, input: CommandInput, now: Date) =>
  caseNotice(
    deps, c, 'case-updated', `${input.key}:owner`, now, { event: 'OwnerAssigned', by: input.actor.id, owner: c.owner },
  );

/** Gives the case to another member of the team (a Slack user id). */
export function assignCase(deps: AppDeps, input: CommandInput & { owner: string }, now: Date): Promise<CommandOutcome> {
  return onCase(deps, input, now, act('assign'), async (trx, c) => {
    if (c.closedAt) return refuse('CASE_CLOSED', `${c.number} is closed.`);
    if (!/^[UW][A-Z0-9]+$/.test(input.owner)) return refuse('OWNER_INVALID', 'Assign to a Slack user, e.g. @someone.');
    if (c.owner === input.owner) return { ok: true, case: c };
    const saved = await updateCase(trx, { ...c, owner: input.owner, updatedAt: now });
    await persistEffects(trx, {
      outbox: [ownerNotice(deps, saved, input, now)],
      audit: [{
        caseId: c.id, type: 'OwnerAssigned', actor: input.actor.id, at: now,
        data: { owner: input.owner, previous: c.owner },
      }],
    }, now);
    return { ok: true, case: saved };
  });
}

/** A private note: stored apart, never posted to a channel (the thread only learns that a note was added). */
export function addCaseNote(deps: AppDeps, input: CommandInput & { text: string }, now: Date): Promise<CommandOutcome> {
  return onCase(deps, input, now, act('note'), async (trx, c) => {
    const text = input.text.trim();
    if (!text) return refuse('NOTE_EMPTY', 'A note needs text.');
    const id = deps.newId();
    await insertNote(trx, { id, caseId: c.id, author: input.actor.id, text, createdAt: now });
    await persistEffects(trx, {
      outbox: [
        caseNotice(deps, c, 'case-updated', `${input.key}:note`, now, { event: 'NoteAdded', by: input.actor.id }),
      ],
      audit: [{ caseId: c.id, type: 'NoteAdded', actor: input.actor.id, at: now, data: { noteId: id } }],
    }, now);
    return { ok: true, case: c };
  });
}

/** Any workflow event the definition has, optionally writing to the data subject in `language`. */
export function applyCaseEvent(
  deps: AppDeps, input: CommandInput & {
    type: string; fields?: Record<string, unknown>; language?: Language; attachments?: readonly ReplyFile[];
  }, now: Date,
): Promise<CommandOutcome> {
  const ask = (c: Case): Ask => ({ event: input.type, transition: transitionFor(deps.workflows.of(c), input.type, c) });
  return onCase(deps, input, now, ask, async (trx, loaded) => {
    const c = input.language && input.language !== loaded.language
      ? await languageChanged(trx, loaded, input.language, input.actor, now) : loaded;
    return applyCaseEventTo(trx, deps, c, {
      type: input.type, actor: input.actor, fields: input.fields ?? {}, key: input.key, attachments: input.attachments,
    }, now);
  });
}

/** The language changes with the event's save (one write of the case row); the change is audited. */
async function languageChanged(
  trx: Transaction<DB>, c: Case, language: Language, actor: Actor, now: Date,
): Promise<Case> {
  await appendAudit(trx, [{
    caseId: c.id, type: 'LanguageChanged', actor: actor.id, at: now, data: { from: c.language, to: language },
  }]);
  return { ...c, language };
}

/** Marks that a reply was drafted (the DPO's "no reply drafted yet" reminder is then suppressed). */
export function markReplyDrafted(
  deps: AppDeps, input: CommandInput & { templates: string[] }, now: Date,
): Promise<CommandOutcome> {
  return onCase(deps, input, now, act('reply'), async (trx, c) => {
    await appendAudit(trx, [{
      caseId: c.id, type: 'ReplyDrafted', actor: input.actor.id, at: now, data: { templates: input.templates },
    }]);
    return { ok: true, case: c };
  });
}

/** Escalates to the DPO (Slack DM + mail); pressing again before the case changed alerts once. */
export function escalateCase(deps: AppDeps, input: CommandInput, now: Date): Promise<CommandOutcome> {
  return onCase(deps, input, now, act('escalate'), async (trx, c) => {
    if (c.closedAt) return refuse('CASE_CLOSED', `${c.number} is closed.`);
    const alert = dpoAlert(deps, {
      caseId: c.id, caseNumber: c.number, deliveryFailed: false, key: `escalate:${c.id}:v${c.version}`,
      reason: `escalated from Slack by ${input.actor.id} (${input.actor.role})`,
    }, now);
    if (!(await enqueue(trx, alert, now))) return { ok: true, case: c };
    await persistEffects(trx, {
      outbox: [
        caseNotice(deps, c, 'case-updated', `${input.key}:escalated`, now, { event: 'Escalated', by: input.actor.id }),
      ],
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
  return onCase(deps, input, now, act('override'), async (trx, c) => {
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
      outbox: [caseNotice(
        deps, saved, 'case-updated', `${input.key}:deadline`, now, { event: 'DeadlineOverridden', by: input.actor.id },
      )],
      audit: [{
        caseId: c.id, type: 'DeadlineOverridden', actor: input.actor.id, at: now,
        data: {
          field, from: before?.toISOString() ?? null, to: input.at.toISOString(), rationale: input.rationale.trim(),
        },
      }, ...clocked.audit],
    }, now);
    return { ok: true, case: saved };
  });
}

/** The case's clocks as stored (for forms that show the dates an event would give). */
export async function storedDeadlines(deps: AppDeps, c: Case) {
  return getDeadlines(deps.database.db, c.id);
}
