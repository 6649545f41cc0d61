/**
 * The workflow interpreter: given a definition, a case's state and an event, decides the next state and the
 * effects (templates to send, the clock to pause or resume). Pure; the app layer carries the decision out.
 */
import type { ActorRole } from '../vocabulary.ts';
import { templatesOf, type TransitionDefinition, type WorkflowDefinition } from './definition.ts';

export interface WorkflowEvent {
  type: string;
  role: ActorRole;
  /** Fields the event carries (reasons, outcome, phase, risk…), checked against `requires`. */
  fields?: Record<string, unknown>;
}

export type TransitionRefusal = 'UNKNOWN_EVENT' | 'CASE_CLOSED' | 'NOT_FROM_STATE' | 'ROLE_NOT_PERMITTED' | 'FIELD_REQUIRED';

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

export function applyEvent(
  wf: WorkflowDefinition,
  state: string,
  event: WorkflowEvent,
  requestTypes: readonly string[] = [],
): TransitionDecision {
  const candidates = wf.transitions.filter((t) => t.on === event.type);
  if (!candidates.length) return refuse('UNKNOWN_EVENT', `"${event.type}" is not an event of the ${wf.id} workflow.`);
  if (wf.states[state]?.final) return refuse('CASE_CLOSED', `The case is ${state}; it takes no more ${event.type}.`);
  const t = candidates.find((c) => c.from.includes(state));
  if (!t) {
    const from = [...new Set(candidates.flatMap((c) => c.from))].join(', ');
    return refuse('NOT_FROM_STATE', `${event.type} is possible from ${from}, not from ${state}.`);
  }
  if (!t.roles.includes(event.role)) {
    return refuse('ROLE_NOT_PERMITTED', `${event.type} needs the role ${t.roles.join(' or ')}; you act as ${event.role}.`);
  }
  const missing = t.requires.filter((f) => isBlank(event.fields?.[f]));
  if (missing.length) return refuse('FIELD_REQUIRED', `${event.type} needs: ${missing.join(', ')}.`);
  const to = t.to ?? state;
  return {
    ok: true, from: state, to, transition: t, templates: templatesOf(t, requestTypes),
    clock: clockChange(wf, state, to), final: wf.states[to]!.final,
  };
}

/** The events a role may send to a case in `state` (for buttons and help texts). */
export function allowedEvents(wf: WorkflowDefinition, state: string, role: ActorRole): string[] {
  if (wf.states[state]?.final) return [];
  return [...new Set(wf.transitions.filter((t) => t.from.includes(state) && t.roles.includes(role)).map((t) => t.on))];
}

function clockChange(wf: WorkflowDefinition, from: string, to: string): Extract<TransitionDecision, { ok: true }>['clock'] {
  const a = wf.states[from]!;
  const b = wf.states[to]!;
  if (b.clock === 'paused' && a.clock !== 'paused') return { action: 'pause', reason: b.pause_reason! };
  if (a.clock === 'paused' && b.clock !== 'paused') return { action: 'resume' };
  return null;
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function refuse(code: TransitionRefusal, message: string): TransitionDecision {
  return { ok: false, code, message };
}
