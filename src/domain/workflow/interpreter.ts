/**
 * The workflow interpreter: given a definition, a case's state and an event, decides the next state and the
 * effects (templates to send, the clock to pause or resume, the named effects). Pure; the app layer carries the
 * decision out. What a surface offers comes from here too, so a button never offers what would be refused.
 */
import type { ActorRole, OrgRole } from '../vocabulary.ts';
import {
  requiredFields, templatesOf, type FieldDefinition, type TransitionDefinition, type WorkflowDefinition,
} from './definition.ts';

export interface WorkflowEvent {
  type: string;
  role: ActorRole;
  /** Fields the event carries (reasons, outcome, phase, risk…), checked against the transition's fields. */
  fields?: Record<string, unknown>;
}

/** What the interpreter needs to know of a case. */
export interface CaseSituation {
  state: string;
  /** The organisation's role on the case: a transition may be only for controllers or only for processors. */
  role?: OrgRole;
  requestTypes?: readonly string[];
}

export type TransitionRefusal =
  | 'UNKNOWN_EVENT' | 'CASE_CLOSED' | 'NOT_FROM_STATE' | 'ROLE_NOT_PERMITTED' | 'FIELD_REQUIRED' | 'FIELD_INVALID'
  | 'NOT_FOR_CASE_ROLE';

export type TransitionDecision =
  | {
      ok: true;
      from: string;
      to: string;
      transition: TransitionDefinition;
      templates: string[];
      /** `pause` when entering a paused state, `resume` when leaving one. */
      clock: { action: 'pause'; reason: 'identity' | 'clarification' | 'fee' } | { action: 'resume' } | null;
      final: boolean;
    }
  | { ok: false; code: TransitionRefusal; message: string };

/** The case as a situation: `applyEvent(wf, c, …)` takes a case or, as before, a bare state. */
const situation = (s: string | CaseSituation): CaseSituation => (typeof s === 'string' ? { state: s } : s);

export function applyEvent(
  wf: WorkflowDefinition,
  at: string | CaseSituation,
  event: WorkflowEvent,
  requestTypes: readonly string[] = [],
): TransitionDecision {
  const { state, role: caseRole } = situation(at);
  const types = typeof at === 'string' ? requestTypes : at.requestTypes ?? requestTypes;
  const named = wf.transitions.filter((t) => t.on === event.type);
  if (!named.length) return refuse('UNKNOWN_EVENT', `"${event.type}" is not an event of the ${wf.id} workflow.`);
  if (wf.states[state]?.final) return refuse('CASE_CLOSED', `The case is ${state}; it takes no more ${event.type}.`);
  const candidates = named.filter((t) => fitsRole(t, caseRole));
  if (!candidates.length) {
    return refuse('NOT_FOR_CASE_ROLE', `${event.type} is not for a case where the organisation is ${caseRole}.`);
  }
  const t = candidates.find((c) => c.from.includes(state));
  if (!t) {
    const from = [...new Set(candidates.flatMap((c) => c.from))].join(', ');
    return refuse('NOT_FROM_STATE', `${event.type} is possible from ${from}, not from ${state}.`);
  }
  if (!t.roles.includes(event.role)) {
    return refuse(
      'ROLE_NOT_PERMITTED', `${event.type} needs the role ${t.roles.join(' or ')}; you act as ${event.role}.`,
    );
  }
  const missing = requiredFields(t).filter((f) => isBlank(fieldValue(event.fields ?? {}, f)));
  if (missing.length) return refuse('FIELD_REQUIRED', `${event.type} needs: ${missing.join(', ')}.`);
  const invalid = fieldProblems(t.fields, event.fields ?? {});
  if (invalid.length) return refuse('FIELD_INVALID', `${event.type}: ${invalid.join('; ')}.`);
  const to = t.to ?? state;
  return {
    ok: true, from: state, to, transition: t, templates: templatesOf(t, types),
    clock: clockChange(wf, state, to), final: wf.states[to]!.final,
  };
}

/** The transitions a role may take on a case now (for menus, buttons, commands and help texts). */
export function allowedTransitions(
  wf: WorkflowDefinition, at: string | CaseSituation, role: ActorRole,
): TransitionDefinition[] {
  const { state, role: caseRole } = situation(at);
  if (wf.states[state]?.final) return [];
  return wf.transitions.filter((t) => t.from.includes(state) && t.roles.includes(role) && fitsRole(t, caseRole));
}

/** The events a role may send to a case now. */
export function allowedEvents(wf: WorkflowDefinition, at: string | CaseSituation, role: ActorRole): string[] {
  return [...new Set(allowedTransitions(wf, at, role).map((t) => t.on))];
}

/** The transition an event names for a case (the first that fits its organisation role), allowed or not. */
export function transitionFor(
  wf: WorkflowDefinition, event: string, at: string | CaseSituation,
): TransitionDefinition | null {
  const { state, role: caseRole } = situation(at);
  const named = wf.transitions.filter((t) => t.on === event && fitsRole(t, caseRole));
  return named.find((t) => t.from.includes(state)) ?? named[0] ?? null;
}

function fitsRole(t: TransitionDefinition, caseRole: OrgRole | undefined): boolean {
  return !t.when || !caseRole || t.when.case_role === caseRole;
}

/** Values a person typed that the field's type rejects; blank optional fields pass. */
export function fieldProblems(fields: readonly FieldDefinition[], values: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const f of fields) {
    const v = fieldValue(values, f.name);
    if (isBlank(v)) continue;
    const list = Array.isArray(v) ? v : [v];
    if ((f.type === 'select' || f.type === 'multiselect') && f.options) {
      const bad = list.filter((x) => !f.options!.includes(String(x)));
      if (bad.length) problems.push(`${f.name} must be ${f.options.join(', ')} (got ${bad.join(', ')})`);
    }
    if (f.type === 'select' && list.length > 1) problems.push(`${f.name} takes one value`);
    if (f.type === 'number' && !Number.isFinite(Number(v))) problems.push(`${f.name} must be a number`);
    if (f.type === 'datetime' && Number.isNaN(new Date(String(v)).getTime())) {
      problems.push(`${f.name} must be a date and time`);
    }
    if (f.type === 'email' && !/^[^\s@]+@[^\s@]+$/.test(String(v))) {
      problems.push(`${f.name} must be an e-mail address`);
    }
    if (f.type === 'url' && !/^https?:\/\/\S+$/.test(String(v))) problems.push(`${f.name} must be a web address`);
  }
  return problems;
}

function clockChange(
  wf: WorkflowDefinition, from: string, to: string,
): Extract<TransitionDecision, { ok: true }>['clock'] {
  const a = wf.states[from]!;
  const b = wf.states[to]!;
  if (b.clock === 'paused' && a.clock !== 'paused') return { action: 'pause', reason: b.pause_reason! };
  if (a.clock === 'paused' && b.clock !== 'paused') return { action: 'resume' };
  return null;
}

/** A field's value by name: `authority.name` is read flat (a form) or nested (`authority: { name }`, YAML). */
export function fieldValue(values: Record<string, unknown>, name: string): unknown {
  if (name in values) return values[name];
  let v: unknown = values;
  for (const part of name.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/** Flat dotted names (a form's) as nested values (a template's): `authority.name` → `{ authority: { name } }`. */
export function nestFields(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const parts = k.split('.');
    let at = out;
    for (const p of parts.slice(0, -1)) {
      if (!at[p] || typeof at[p] !== 'object') at[p] = {};
      at = at[p] as Record<string, unknown>;
    }
    at[parts.at(-1)!] = v && typeof v === 'object' && !Array.isArray(v)
      ? { ...(at[parts.at(-1)!] as object), ...v }
      : v;
  }
  return out;
}

export function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && !v.length);
}

function refuse(code: TransitionRefusal, message: string): TransitionDecision {
  return { ok: false, code, message };
}
