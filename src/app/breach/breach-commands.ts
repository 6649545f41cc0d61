/**
 * The breach events as use cases: one transaction that loads the case, claims the delivery key (a retry or a
 * double click has one effect), checks the event against the workflow (state and role), runs the step (the
 * register entry, notifications, mail), moves the case's state, and saves audit events and outbox rows.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Transaction } from 'kysely';
import { findCaseByNumber, getDeadlines, updateCase } from '../../adapters/db/case-repository.ts';
import type { DB } from '../../adapters/db/schema.ts';
import { createDocumentRenderer, type DocumentRenderer } from '../../adapters/templates/document-renderer.ts';
import { claimKey } from '../../adapters/slack/slack-repository.ts';
import type { Case } from '../../domain/case.ts';
import { applyEvent } from '../../domain/workflow/interpreter.ts';
import { caseNotice } from '../compose-mail.ts';
import type { Actor, AppDeps, Result } from '../deps.ts';
import { persistEffects } from '../effects.ts';
import { replanReminders } from '../plan-reminders.ts';
import {
  assessStep, authorityStep, customersStep, decisionStep, subjectsDecisionStep, subjectsStep, type StepContext, type StepResult,
} from './breach-steps.ts';

const DOCUMENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'templates', 'documents');
let documents: DocumentRenderer | null = null;
export const documentRenderer = () => (documents ??= createDocumentRenderer(DOCUMENTS_DIR));

/**
 * The breach events, the step each runs, and the workflow transition that carries it (workflows/breach.yaml).
 * "Not a breach" is a not-notifiable decision of its own kind; the Art. 34 decision leaves the state as it is.
 */
export const BREACH_EVENTS: Record<string, { step: (deps: AppDeps) => (ctx: StepContext) => Promise<StepResult>; transition: string | null }> = {
  Assessed: { step: () => assessStep, transition: 'Assessed' },
  NotABreach: { step: () => decisionStep('not_a_breach'), transition: 'NotNotifiable' },
  NotNotifiable: { step: () => decisionStep('not_notifiable'), transition: 'NotNotifiable' },
  AuthorityNotified: { step: () => authorityStep(documentRenderer()), transition: 'AuthorityNotified' },
  CustomerNotified: { step: () => customersStep, transition: 'CustomerNotified' },
  SubjectsNotificationDecided: { step: () => subjectsDecisionStep, transition: null },
  SubjectsNotified: { step: (deps) => subjectsStep(deps.config.breach.noticesPerMinute), transition: 'SubjectsNotified' },
};

export interface BreachEventInput {
  caseNumber: string;
  event: string;
  actor: Actor;
  fields: Record<string, unknown>;
  key: string;
}

export type BreachOutcome = Result<{ case: Case; summary: string; duplicate: boolean }>;

class Refused extends Error {
  constructor(readonly result: Extract<BreachOutcome, { ok: false }>) { super(result.message); }
}

export async function recordBreachEvent(deps: AppDeps, input: BreachEventInput, now: Date): Promise<BreachOutcome> {
  const def = BREACH_EVENTS[input.event];
  if (!def) return { ok: false, code: 'UNKNOWN_EVENT', message: `"${input.event}" is not a breach event; one of ${Object.keys(BREACH_EVENTS).join(', ')}.` };
  try {
    return await deps.database.db.transaction().execute(async (trx): Promise<BreachOutcome> => {
      const c = await findCaseByNumber(trx, input.caseNumber);
      if (!c) return { ok: false, code: 'CASE_NOT_FOUND', message: `No case ${input.caseNumber}.` };
      if (!(await claimKey(trx, input.key, c.id, now))) return { ok: true, case: c, summary: 'already done', duplicate: true };
      const r = await applyIn(trx, deps, c, def, input, now);
      if (!r.ok) throw new Refused(r);
      return r;
    });
  } catch (e) {
    if (e instanceof Refused) return e.result;
    throw e;
  }
}

async function applyIn(
  trx: Transaction<DB>, deps: AppDeps, c: Case, def: (typeof BREACH_EVENTS)[string], input: BreachEventInput, now: Date,
): Promise<BreachOutcome> {
  const wf = deps.workflows[c.kind];
  const decision = def.transition
    ? applyEvent(wf, c.state, { type: def.transition, role: input.actor.role, fields: { phase: 'initial', ...input.fields } })
    : null;
  if (decision && !decision.ok) return decision;
  if (!decision && (c.closedAt || input.actor.role !== 'dpo')) {
    return { ok: false, code: c.closedAt ? 'CASE_CLOSED' : 'ROLE_NOT_PERMITTED', message: c.closedAt ? `${c.number} is closed.` : `${input.event} needs the role dpo.` };
  }
  const step = await def.step(deps)({ trx, deps, case: c, actor: input.actor, fields: input.fields, key: input.key, now });
  if (!step.ok) return step;
  let saved = c;
  if (decision?.ok && decision.to !== c.state) {
    saved = await updateCase(trx, { ...c, state: decision.to, updatedAt: now });
    await replanReminders(trx, deps, saved, await getDeadlines(trx, c.id), now);
  }
  const moved = { caseId: c.id, type: input.event, actor: input.actor.id, at: now, data: { from: c.state, to: saved.state, role: input.actor.role } };
  const notice = caseNotice(deps, saved, 'case-updated', `${input.key}:notice`, now, { event: input.event, by: input.actor.id });
  await persistEffects(trx, { outbox: [notice, ...step.effects.outbox], audit: [moved, ...step.effects.audit] }, now);
  return { ok: true, case: saved, summary: step.summary, duplicate: false };
}
