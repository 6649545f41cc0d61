/**
 * A workflow definition (workflows/*.yaml) and its validation. The loader names every problem: unknown state,
 * missing template, a reminder past its deadline, a transition nobody may take.
 */
import { z } from 'zod';
import { ACTOR_ROLES, CASE_KINDS, LANGUAGES, REQUEST_REGIMES, REQUEST_TYPES, type Language } from '../vocabulary.ts';

const OFFSET_RE = /^(0|[+-]\d+(wd|d|h))$/;

const reminderSchema = z.object({
  id: z.string().min(1),
  anchor: z.enum(['due', 'first_month_end', 'aware']),
  at: z.string().regex(OFFSET_RE, 'expected an offset such as -10wd, -2d, +24h or 0'),
  to: z.array(z.enum(['owner', 'dpo', 'triage', 'managers'])).min(1),
  states: z.array(z.string()).min(1),
  repeat: z.enum(['daily']).optional(),
  overdue: z.boolean().default(false),
  unless: z.enum(['reply_drafted']).optional(),
  regimes: z.array(z.enum(REQUEST_REGIMES)).optional(),
  /** Whether an unacknowledged reminder to the owner walks the `escalation:` path (only the late, urgent ones). */
  escalate: z.boolean().default(false),
});

/** `4wh`: working hours of the organisation's calendar (requests); `4h`: every hour (breaches). */
const escalationSchema = z.object({
  to: z.enum(['triage', 'dpo', 'managers']),
  after: z.string().regex(/^\d+(h|wh)$/, 'expected hours such as 4h (elapsed) or 4wh (working hours)'),
});

const transitionSchema = z.object({
  on: z.string().regex(/^[A-Z][A-Za-z]+$/, 'expected a past-tense event name such as IdentityVerified'),
  from: z.array(z.string()).min(1),
  /** Omitted: the case stays in its state (e.g. an extension). */
  to: z.string().optional(),
  roles: z.array(z.enum(ACTOR_ROLES)).min(1),
  requires: z.array(z.string()).default([]),
  /** `{request_type}` expands to each request type of the case. */
  template: z.string().optional(),
});

const stateSchema = z.object({
  description: z.string().optional(),
  final: z.boolean().default(false),
  clock: z.enum(['running', 'paused']).default('running'),
  pause_reason: z.enum(['identity', 'clarification', 'fee']).optional(),
}).nullable().transform((s) => s ?? { final: false, clock: 'running' as const });

export const workflowSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(CASE_KINDS),
  initial: z.string(),
  states: z.record(z.string(), stateSchema),
  transitions: z.array(transitionSchema).min(1),
  reminders: z.array(reminderSchema).default([]),
  escalation: z.array(escalationSchema).default([]),
});

export type WorkflowDefinition = z.infer<typeof workflowSchema>;
export type TransitionDefinition = WorkflowDefinition['transitions'][number];
export type ReminderDefinition = WorkflowDefinition['reminders'][number];

export interface Offset {
  amount: number;
  unit: 'wd' | 'd' | 'h';
}

/** `-10wd` → { amount: -10, unit: 'wd' }; `0` → { amount: 0, unit: 'd' }. */
export function parseOffset(at: string): Offset {
  if (at === '0') return { amount: 0, unit: 'd' };
  const m = /^([+-]\d+)(wd|d|h)$/.exec(at);
  if (!m) throw new RangeError(`bad offset: ${at}`);
  return { amount: Number(m[1]), unit: m[2] as Offset['unit'] };
}

/** The template names a transition sends, `{request_type}` expanded. */
export function templatesOf(t: Pick<TransitionDefinition, 'template'>, requestTypes: readonly string[] = REQUEST_TYPES): string[] {
  if (!t.template) return [];
  if (!t.template.includes('{request_type}')) return [t.template];
  return requestTypes.map((rt) => t.template!.replace('{request_type}', rt.replace(/_/g, '-')));
}

export type WorkflowCheck = { ok: true; workflow: WorkflowDefinition } | { ok: false; errors: string[] };

/**
 * Validates a parsed definition. `hasTemplate` tells whether `templates/mail/<lang>/<name>` exists;
 * every template must exist in every language.
 */
export function checkWorkflow(
  source: string,
  raw: unknown,
  hasTemplate: (name: string, lang: Language) => boolean,
): WorkflowCheck {
  const parsed = workflowSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`) };
  }
  const wf = parsed.data;
  const errors = [...stateErrors(wf), ...templateErrors(wf, hasTemplate), ...reminderErrors(wf)]
    .map((e) => `${source}: ${e}`);
  return errors.length ? { ok: false, errors } : { ok: true, workflow: wf };
}

function stateErrors(wf: WorkflowDefinition): string[] {
  const errors: string[] = [];
  const known = (s: string) => Object.hasOwn(wf.states, s);
  if (!known(wf.initial)) errors.push(`initial: unknown state "${wf.initial}"`);
  wf.transitions.forEach((t, i) => {
    for (const s of [...t.from, ...(t.to ? [t.to] : [])]) {
      if (!known(s)) errors.push(`transitions.${i} (${t.on}): unknown state "${s}"`);
    }
    for (const s of t.from) if (known(s) && wf.states[s]!.final) errors.push(`transitions.${i} (${t.on}): leaves final state "${s}"`);
  });
  wf.reminders.forEach((r, i) => {
    for (const s of r.states) if (!known(s)) errors.push(`reminders.${i} (${r.id}): unknown state "${s}"`);
  });
  for (const [name, s] of Object.entries(wf.states)) {
    if (s.clock === 'paused' && !s.pause_reason) errors.push(`states.${name}: a paused state needs a pause_reason`);
  }
  return errors;
}

function templateErrors(wf: WorkflowDefinition, hasTemplate: (name: string, lang: Language) => boolean): string[] {
  const errors: string[] = [];
  wf.transitions.forEach((t, i) => {
    for (const name of templatesOf(t)) {
      const missing = LANGUAGES.filter((lang) => !hasTemplate(name, lang));
      if (missing.length) errors.push(`transitions.${i} (${t.on}): missing template "${name}" in ${missing.join(', ')}`);
    }
  });
  return errors;
}

/** A reminder must fire before the deadline it reminds of, unless it is an overdue reminder. */
function reminderErrors(wf: WorkflowDefinition): string[] {
  const errors: string[] = [];
  const ids = new Set<string>();
  wf.reminders.forEach((r, i) => {
    if (ids.has(r.id)) errors.push(`reminders.${i}: duplicate id "${r.id}"`);
    ids.add(r.id);
    const { amount, unit } = parseOffset(r.at);
    const hoursAfterDue = r.anchor === 'aware' ? (unit === 'h' ? amount - 72 : amount * 24 - 72) : amount;
    if (!r.overdue && hoursAfterDue > 0) errors.push(`reminders.${i} (${r.id}): fires after its deadline; mark it overdue: true or move it before`);
    if (r.overdue && hoursAfterDue < 0) errors.push(`reminders.${i} (${r.id}): an overdue reminder must fire at or after the deadline`);
    if (r.repeat && !r.overdue) errors.push(`reminders.${i} (${r.id}): only overdue reminders repeat`);
    if (wf.kind === 'breach' && unit === 'wd') errors.push(`reminders.${i} (${r.id}): breach clocks count elapsed time, not working days`);
    if (r.escalate && !r.to.includes('owner')) {
      errors.push(`reminders.${i} (${r.id}): only a reminder to the owner escalates`);
    }
  });
  wf.escalation.forEach((step, i) => {
    const working = step.after.endsWith('wh');
    if (wf.kind === 'breach' && working) {
      errors.push(`escalation.${i}: breach clocks count every hour: write ${step.after.replace('wh', 'h')}`);
    }
    if (wf.kind === 'request' && !working) {
      errors.push(`escalation.${i}: request escalation counts working hours: write ${step.after.replace('h', 'wh')}`);
    }
  });
  return errors;
}

/** An escalation step's delay: hours and whether they are working hours (`4wh`) or every hour (`4h`). */
export function parseEscalationDelay(after: string): { hours: number; working: boolean } {
  return { hours: Number.parseInt(after, 10), working: after.endsWith('wh') };
}
