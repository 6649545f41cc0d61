/**
 * Applying a workflow event to a case (take a step, pause, resume, extend, close): load → decide with the
 * workflow and the deadline engine → save the case, its clocks, audit events and outbox rows in one transaction.
 */
import type { Transaction } from 'kysely';
import {
  closePause, findCaseByNumber, getDeadlines, getPauses, getPrivate, openPause, saveDeadlines, updateCase,
} from '../adapters/db/case-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Case } from '../domain/case.ts';
import { governingDeadline } from '../domain/deadlines/deadline.ts';
import { decideExtension } from '../domain/deadlines/extension.ts';
import { dateInZone } from '../domain/local-date.ts';
import { applyEvent } from '../domain/workflow/interpreter.ts';
import { caseDeadlines, withDeadlines } from './case-clocks.ts';
import { caseNotice, mailToRequester, MailContextError } from './compose-mail.ts';
import type { Actor, AppDeps, Result } from './deps.ts';
import { persistEffects } from './effects.ts';
import { replanReminders } from './plan-reminders.ts';
import { threadOf } from '../adapters/db/mail-repository.ts';
import { afterCaseEvent } from './retention-hooks.ts';

export interface CaseEventInput {
  caseNumber: string;
  type: string;
  actor: Actor;
  fields?: Record<string, unknown>;
  /** A client's key (a button press, a modal submission): the same key never has two effects. */
  idempotencyKey?: string;
}

export async function recordCaseEvent(deps: AppDeps, input: CaseEventInput, now: Date): Promise<Result<{ case: Case }>> {
  try {
    return await applyInTransaction(deps, input, now);
  } catch (e) {
    if (e instanceof MailContextError) {
      return { ok: false, code: 'TEMPLATE_CONTEXT_INVALID', message: `${input.type} needs more for the ${e.template} mail: ${e.message}` };
    }
    throw e;
  }
}

async function applyInTransaction(deps: AppDeps, input: CaseEventInput, now: Date): Promise<Result<{ case: Case }>> {
  return deps.database.db.transaction().execute((trx) => recordCaseEventIn(trx, deps, input, now));
}

/** The same inside a caller's transaction (a data subject's reply resumes the clock as the mail is filed). */
export async function recordCaseEventIn(
  trx: Transaction<DB>, deps: AppDeps, input: CaseEventInput, now: Date,
): Promise<Result<{ case: Case }>> {
  const loaded = await findCaseByNumber(trx, input.caseNumber);
  if (!loaded) return { ok: false, code: 'CASE_NOT_FOUND', message: `No case ${input.caseNumber}.` };
  const fields = input.fields ?? {};
  const decision = applyEvent(deps.workflows[loaded.kind], loaded.state, { type: input.type, role: input.actor.role, fields }, loaded.requestTypes);
  if (!decision.ok) return decision;
  const today = dateInZone(now, deps.config.org.timezone);
  let c: Case = { ...loaded, state: decision.to, updatedAt: now };

  if (input.type === 'ExtensionRequested') {
    const refusal = await checkExtension(trx, c, String(fields.reasons), today);
    if (refusal) return refusal;
    c = { ...c, extension: { reasons: String(fields.reasons), requestedAt: now, sentOn: null } };
  }
  if (input.type === 'IdentityVerified') c = { ...c, identityVerifiedAt: now };
  if (decision.final) c = { ...c, closedAt: now, outcome: String(fields.outcome ?? fields.reasons ?? decision.to) };
  if (decision.clock?.action === 'pause') {
    await openPause(trx, { id: deps.newId(), caseId: c.id, reason: decision.clock.reason, askedOn: today, at: now });
  }
  if (decision.clock?.action === 'resume') await closePause(trx, c.id, today, now);

  const deadlines = caseDeadlines(deps, c, await getPauses(trx, c.id), now);
  const clocked = decision.clock ? withDeadlines(c, deadlines, input.actor.id, now) : { case: c, audit: [] };
  if (decision.clock) await saveDeadlines(trx, c.id, deadlines, now);
  const saved = await updateCase(trx, clocked.case);
  await replanReminders(trx, deps, saved, deadlines, now);
  const key = input.idempotencyKey ?? `${c.id}:v${saved.version}`;
  const mail = mailToRequester(deps, {
    case: saved, private: (await getPrivate(trx, c.id))!, deadlines, templates: decision.templates, fields,
    key, actor: input.actor.id, now, onSent: input.type === 'ExtensionRequested' ? 'ExtensionNoticeSent' : null,
    thread: decision.templates.length ? await threadOf(trx, c.id) : null,
  });
  const stepped = {
    caseId: c.id, type: input.type, actor: input.actor.id, at: now,
    data: { from: decision.from, to: decision.to, role: input.actor.role, ...auditFields(fields) },
  };
  const notice = caseNotice(deps, saved, 'case-updated', `${key}:notice`, now, { event: input.type, by: input.actor.id });
  await persistEffects(trx, { outbox: [notice, ...mail.outbox], audit: [stepped, ...clocked.audit, ...mail.audit] }, now);
  await afterCaseEvent(trx, saved, input.type, fields, now); // issue 12: retention (erasure answered, id verified)
  return { ok: true, case: saved };
}

/** Pre-checks an extension as if its notice went out today; the deliverer confirms it once actually sent. */
async function checkExtension(trx: Transaction<DB>, c: Case, reasons: string, today: string) {
  if (c.extension) {
    return { ok: false as const, code: 'EXTENSION_ALREADY_USED', message: 'This case was already extended; it can be extended once.' };
  }
  const governing = governingDeadline((await getDeadlines(trx, c.id)).filter((d) => d.extendedDue));
  if (!governing) return { ok: false as const, code: 'EXTENSION_NOT_AVAILABLE', message: 'None of this case\'s clocks can be extended.' };
  const d = decideExtension(governing, { sentOn: today, reasons });
  return d.ok ? null : d;
}

/** Decision fields worth keeping in the audit log: short facts, never free text about a person. */
function auditFields(fields: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const k of ['reasons', 'outcome', 'phase', 'risk', 'ground', 'lateReasons']) {
    if (typeof fields[k] === 'string') kept[k] = fields[k];
  }
  return kept;
}
