/**
 * Applying a workflow event to a loaded case, inside the caller's transaction: decide with the definition → run
 * its named effects → pause/resume and recompute clocks → queue its mail (or refuse when the mail cannot go) →
 * save the case once, with its reminders, audit events and outbox rows.
 */
import type { Transaction } from 'kysely';
import {
  closePause, findCaseByNumber, getDeadlines, getPauses, getPrivate, openPause, saveDeadlines, updateCase,
} from '../adapters/db/case-repository.ts';
import { threadOf } from '../adapters/db/mail-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Case } from '../domain/case.ts';
import { dateInZone } from '../domain/local-date.ts';
import { doneOf, type TransitionDefinition } from '../domain/workflow/definition.ts';
import { findCustomer, listCustomers } from '../adapters/db/customer-repository.ts';
import { applyEvent, nestFields } from '../domain/workflow/interpreter.ts';
import { caseDeadlines, withDeadlines } from './case-clocks.ts';
import { caseNotice, mailToRequester, MailContextError, type Effects } from './compose-mail.ts';
import type { Actor, AppDeps, Result } from './deps.ts';
import { persistEffects } from './persist-effects.ts';
import { replanReminders } from './plan-reminders.ts';
import { applyEffects } from './workflow-effects.ts';
import { afterCaseEvent } from './retention-hooks.ts';
import { checkReplyFiles, metaOfFiles, toMailAttachments, type ReplyFile } from './reply-attachments.ts';

export interface EventInput {
  type: string;
  actor: Actor;
  fields?: Record<string, unknown>;
  /** A client's key (a button press, a modal submission): outbox rows are keyed by it. */
  key?: string;
  /** Files sent with the event's mail (a reply); checked and listed by `reply-attachments.ts`. */
  attachments?: readonly ReplyFile[];
}

/** What an event did: the saved case and the mails it queued (never counted when withheld). */
export type EventOutcome = Result<{ case: Case; mails: number }>;

/** Thrown inside a transaction to roll it back and answer with the refusal. */
export class Refusal extends Error {
  constructor(readonly result: { ok: false; code: string; message: string }) {
    super(result.message);
  }
}

/** One event in its own transaction, as the desk itself (tests, the system's own steps). */
export async function recordCaseEvent(
  deps: AppDeps, input: EventInput & { caseNumber: string; idempotencyKey?: string }, now: Date,
): Promise<EventOutcome> {
  try {
    return await deps.database.db.transaction().execute(async (trx) => {
      const r = await recordCaseEventIn(trx, deps, { ...input, key: input.key ?? input.idempotencyKey }, now);
      if (!r.ok) throw new Refusal(r);
      return r;
    });
  } catch (e) {
    if (e instanceof Refusal) return e.result;
    throw e;
  }
}

/** Loads the case by number, then applies (a data subject's reply resumes the clock as the mail is filed). */
export async function recordCaseEventIn(
  trx: Transaction<DB>, deps: AppDeps, input: EventInput & { caseNumber: string }, now: Date,
): Promise<EventOutcome> {
  const c = await findCaseByNumber(trx, input.caseNumber);
  if (!c) return { ok: false, code: 'CASE_NOT_FOUND', message: `No case ${input.caseNumber}.` };
  return applyCaseEventTo(trx, deps, c, input, now);
}

/** Applies one event to `loaded` and saves it once. A refusal leaves everything as it was. */
export async function applyCaseEventTo(
  trx: Transaction<DB>, deps: AppDeps, loaded: Case, input: EventInput, now: Date,
): Promise<EventOutcome> {
  const wf = deps.workflows.of(loaded);
  const fields = input.fields ?? {};
  const role = input.actor.role === 'viewer' ? 'manager' : input.actor.role;
  const decision = applyEvent(wf, loaded, { type: input.type, role, fields });
  if (!decision.ok) return decision;
  const today = dateInZone(now, deps.config.org.timezone);
  const t = decision.transition;
  const effected = await applyEffects({
    trx, deps, case: { ...loaded, state: decision.to, updatedAt: now }, transition: t, fields, actor: input.actor,
    now, today,
  });
  if (!effected.ok) return effected;
  let c = effected.case;
  if (decision.final) {
    c = { ...c, closedAt: now, outcome: String(fields.outcome ?? fields.reasons ?? doneOf(t, fields)) };
  }
  if (decision.clock?.action === 'pause') {
    await openPause(trx, { id: deps.newId(), caseId: c.id, reason: decision.clock.reason, askedOn: today, at: now });
  }
  if (decision.clock?.action === 'resume') await closePause(trx, c.id, today, now);

  const recompute = Boolean(decision.clock) || c.requestTypes !== loaded.requestTypes;
  const deadlines = recompute ? caseDeadlines(deps, c, await getPauses(trx, c.id), now) : await getDeadlines(trx, c.id);
  const clocked = recompute ? withDeadlines(c, deadlines, input.actor.id, now) : { case: c, audit: [] };
  const key = input.key ?? `${c.id}:v${c.version + 1}`;
  const mail = await eventMail(trx, deps, clocked.case, deadlines, t, decision.templates, {
    fields, key, actor: input.actor.id, now, onSent: effected.onSent ?? null,
    needsMail: t.effects.includes('needs_mail'),
    files: input.attachments ?? [],
  });
  // Past this point something was written (a pause): a refusal must roll the caller's transaction back.
  if (!mail.ok) throw new Refusal(mail);
  if (recompute) await saveDeadlines(trx, c.id, deadlines, now);
  const saved = await updateCase(trx, clocked.case);
  await replanReminders(trx, deps, saved, deadlines, now);
  const stepped = {
    caseId: c.id, type: input.type, actor: input.actor.id, at: now,
    data: { from: decision.from, to: decision.to, role: input.actor.role, ...auditFields(fields) },
  };
  const notice = caseNotice(deps, saved, 'case-updated', `${key}:notice`, now, {
    event: input.type, done: doneOf(t, fields), by: input.actor.id, ...mailNotice(mail.fx, decision.templates.length),
  });
  await persistEffects(trx, {
    outbox: [notice, ...mail.fx.outbox], audit: [stepped, ...clocked.audit, ...mail.fx.audit],
  }, now);
  await afterCaseEvent(trx, saved, input.type, fields, now); // retention: erasure answered, identity verified
  return { ok: true, case: saved, mails: mail.fx.outbox.length };
}

/** What the thread line says about the mail: queued, or withheld and why — never "queued" for a withheld one. */
function mailNotice(fx: Effects, templates: number): Record<string, unknown> {
  if (!templates) return {};
  const withheld = fx.audit.filter((a) => a.type === 'MailWithheld').map((a) => String(a.data.reason));
  return { mailsQueued: fx.outbox.length, ...(withheld.length ? { mailWithheld: withheld[0] } : {}) };
}

/**
 * The event's mail: to the data subject, or to the customer(s) the definition names (`mail_to`), each in their
 * language. When the event *is* its mail (`needs_mail`) and the mail would be withheld — no address, an unconfirmed
 * one, no customer to write to — the event is refused with the reason and the way out.
 */
async function eventMail(
  trx: Transaction<DB>, deps: AppDeps, c: Case, deadlines: Awaited<ReturnType<typeof getDeadlines>>,
  t: TransitionDefinition,
  templates: string[],
  o: {
    fields: Record<string, unknown>; key: string; actor: string; now: Date; onSent: string | null; needsMail: boolean;
    files: readonly ReplyFile[];
  },
): Promise<{ ok: true; fx: Effects } | { ok: false; code: string; message: string }> {
  const max = deps.config.mail.maxAttachmentBytes;
  const files = checkReplyFiles(templates, nestFields(o.fields), metaOfFiles(o.files), max);
  if (!files.ok) return files;
  if (!templates.length) return { ok: true, fx: { outbox: [], audit: [] } };
  const priv = await getPrivate(trx, c.id);
  if (!priv) return { ok: true, fx: { outbox: [], audit: [] } };
  const fields = nestFields(o.fields);
  const base = { private: priv, deadlines, templates, key: o.key, actor: o.actor, now: o.now, onSent: o.onSent };
  let fx: Effects;
  try {
    if (t.mail_to === 'requester') {
      fx = mailToRequester(deps, {
        ...base, case: c, fields: files.fields, thread: await threadOf(trx, c.id),
        attachments: toMailAttachments(o.files),
      });
    } else {
      const customers = await recipientsOf(trx, c, t.mail_to, fields);
      fx = { outbox: [], audit: [] };
      if (!customers.length) {
        fx.audit.push(...templates.map((template) => ({
          caseId: c.id, type: 'MailWithheld', actor: o.actor, at: o.now,
          data: { template, reason: 'no customer to write to' },
        })));
      }
      for (const cu of customers) {
        const one = mailToRequester(deps, {
          ...base, case: { ...c, language: cu.language }, fields: { ...fields, customer: { name: cu.name } },
          to: cu.address, key: `${o.key}:${cu.id}`,
        });
        fx.outbox.push(...one.outbox);
        fx.audit.push(...one.audit);
      }
    }
  } catch (e) {
    if (!(e instanceof MailContextError)) throw e;
    return { ok: false, code: 'TEMPLATE_CONTEXT_INVALID', message: `The ${e.template} mail needs more: ${e.message}` };
  }
  const withheld = fx.audit.find((a) => a.type === 'MailWithheld');
  if (o.needsMail && withheld) {
    return {
      ok: false, code: 'MAIL_WITHHELD', message: `Not done: ${withheldWords(String(withheld.data.reason), c.number)}`,
    };
  }
  return { ok: true, fx };
}

/** The customers a mail goes to: the one the case (or the event) names, or every customer with a contact. */
async function recipientsOf(
  trx: Transaction<DB>, c: Case, to: 'customer' | 'customers', fields: Record<string, unknown>,
) {
  const named = String(fields.customer ?? c.facts.customer ?? '');
  const list = to === 'customers'
    ? await listCustomers(trx)
    : [await findCustomer(trx, named)].filter((x) => x !== null);
  return list
    .map((cu) => ({
      id: cu.id, name: cu.name, language: cu.language, address: cu.requestAddress ?? cu.securityAddress,
    }))
    .filter((cu): cu is typeof cu & { address: string } => Boolean(cu.address));
}

/** The reason a mail cannot go, with the way out. */
export function withheldWords(reason: string, caseNumber: string): string {
  if (/unverified|unconfirmed/.test(reason)) {
    return `the data subject's address is not confirmed yet (it was recovered from a forwarded mail). `
      + `Confirm it first: \`/dpo confirm ${caseNumber} [address]\` or \`dpo-desk case confirm ${caseNumber}\`.`;
  }
  if (/no customer/.test(reason)) {
    return 'there is no customer with a contact address to write to. Add them: `dpo-desk customers add …` '
      + '(the request or security-notification address).';
  }
  if (/no address/.test(reason)) {
    return `there is no address for the data subject. Add one: \`/dpo confirm ${caseNumber} <address>\`.`;
  }
  return `the mail cannot be sent (${reason}).`;
}

/** Decision fields worth keeping in the audit log: short facts, never free text about a person. */
function auditFields(fields: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const k of ['reasons', 'outcome', 'phase', 'risk', 'ground', 'late_reasons', 'reference', 'types']) {
    if (typeof fields[k] === 'string' || Array.isArray(fields[k])) kept[k] = fields[k];
  }
  return kept;
}
