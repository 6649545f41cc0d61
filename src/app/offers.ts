/**
 * What each surface offers a person on a case, read from the workflow definitions: the `/dpo` words, the buttons
 * on a case, the reply modal's and the close modal's choices, the CLI's `case events`. A surface never offers what
 * the use case would refuse (role, organisation role, state, ownership).
 */
import type { Case } from '../domain/case.ts';
import {
  labelOf, templatesOf, type TransitionDefinition, type WorkflowDefinition,
} from '../domain/workflow/definition.ts';
import { allowedTransitions } from '../domain/workflow/interpreter.ts';
import { authorize, type Ask, type DeskRole } from '../domain/workflow/permissions.ts';
import { findCaseByNumber } from '../adapters/db/case-repository.ts';
import type { Workflows } from '../adapters/workflows/load-workflows.ts';
import type { Actor, AppDeps, Result } from './deps.ts';

export type Surface = 'command' | 'button' | 'reply' | 'close';

/** A transition as a surface shows it. */
export interface Offer {
  event: string;
  label: string;
  transition: TransitionDefinition;
}

const offeredAt = (t: TransitionDefinition, where: Surface | 'any') =>
  where === 'any' || (where === 'command' ? Boolean(t.offer.command) : t.offer[where]);

/** The transitions `role` (as `user`) may take on `c` now, offered at `where`. */
export function offers(
  workflows: Workflows, c: Case, who: { role: DeskRole; user: string }, where: Surface | 'any',
): Offer[] {
  if (who.role === 'viewer') return [];
  const wf = workflows.of(c);
  const seen = new Set<string>();
  return allowedTransitions(wf, c, who.role).filter((t) => {
    if (seen.has(t.on) || !offeredAt(t, where)) return false;
    seen.add(t.on);
    return authorize(who.role, { event: t.on, transition: t }, { user: who.user, owner: c.owner }).ok;
  }).map((t) => ({ event: t.on, label: labelOf(t), transition: t }));
}

/** Every transition a surface shows on a case in its state, whoever looks (channel buttons: checked on press). */
export function offeredInState(workflows: Workflows, c: Case, where: Surface): Offer[] {
  const wf = workflows.of(c);
  if (wf.states[c.state]?.final) return [];
  const seen = new Set<string>();
  return wf.transitions
    .filter((t) => t.from.includes(c.state) && offeredAt(t, where) && fitsCase(t, c) && !seen.has(t.on)
      && Boolean(seen.add(t.on)))
    .map((t) => ({ event: t.on, label: labelOf(t), transition: t }));
}

const fitsCase = (t: TransitionDefinition, c: Case) => !t.when || t.when.case_role === c.role;

/** The event a `/dpo` word names on this case (its workflow and organisation role), or null. */
export function eventOfWord(workflows: Workflows, c: Case, word: string): TransitionDefinition | null {
  return workflows.of(c).transitions.find((t) => t.offer.command === word && fitsCase(t, c)) ?? null;
}

/** Every `/dpo` word the definitions offer, with what it does (for help). */
export function commandWords(
  workflows: Workflows,
): { word: string; label: string; workflow: string; needs: string[] }[] {
  const out = new Map<string, { word: string; label: string; workflow: string; needs: string[] }>();
  for (const wf of workflows.list()) {
    for (const t of wf.transitions) {
      if (!t.offer.command || out.has(t.offer.command)) continue;
      out.set(t.offer.command, {
        word: t.offer.command, label: labelOf(t), workflow: wf.id,
        needs: t.fields.filter((f) => f.required).map((f) => f.name),
      });
    }
  }
  return [...out.values()];
}

/** The workflows `role` may open by hand. */
export function openable(workflows: Workflows, role: DeskRole): WorkflowDefinition[] {
  return workflows.list().filter((wf) => wf.open?.roles.some((r) => r === role));
}

/** The mail templates an event sends on this case (an answer has one per request type). */
export function eventTemplates(workflows: Workflows, c: Case, event: string): string[] {
  const t = workflows.of(c).transitions.find((x) => x.on === event);
  return t ? templatesOf(t, c.requestTypes) : [];
}

/** Loads a case for a form or a view and checks that `actor` may do `ask` on it (the form's use case checks again). */
export async function caseFor(
  deps: AppDeps, caseNumber: string, actor: Actor, ask: (c: Case) => Ask,
): Promise<Result<{ case: Case }>> {
  const c = await findCaseByNumber(deps.database.db, caseNumber);
  if (!c) return { ok: false, code: 'CASE_NOT_FOUND', message: `No case ${caseNumber}.` };
  const allowed = authorize(actor.role, ask(c), { user: actor.id, owner: c.owner });
  return allowed.ok ? { ok: true, case: c } : { ok: false, code: 'NOT_ALLOWED', message: allowed.message };
}

/** Reads a transition's fields from command words: a choice or a number takes one word, text takes the rest. */
export function fieldsFromWords(
  t: TransitionDefinition, words: readonly string[],
): { fields: Record<string, unknown>; problem?: string } {
  const fields: Record<string, unknown> = {};
  let i = 0;
  for (const f of t.fields) {
    if (i >= words.length) break;
    if (f.type === 'select' || f.type === 'multiselect') {
      const v = words[i]!.toLowerCase();
      if (f.options && !f.options.includes(v)) {
        return { fields, problem: `${f.name} must be ${f.options.join(', ')} — not "${words[i]}".` };
      }
      fields[f.name] = f.type === 'select' ? v : [v];
      i++;
    } else if (f.type === 'text' || f.type === 'longtext') {
      fields[f.name] = words.slice(i).join(' ');
      i = words.length;
    } else {
      fields[f.name] = words[i++];
    }
  }
  return { fields };
}
