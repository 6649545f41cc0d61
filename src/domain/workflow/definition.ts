/**
 * A workflow definition (workflows/*.yaml) and its validation. The loader names every problem: unknown state,
 * missing template, a reminder past its deadline, a transition nobody may take.
 */
import { z } from 'zod';
import {
  ACTOR_ROLES, CASE_KINDS, CASE_PREFIX, LANGUAGES, ORG_ROLES, REQUEST_REGIMES, REQUEST_TYPES, type Language,
} from '../vocabulary.ts';

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

/** What a person fills in for an event: Slack builds the modal input, the CLI reads `--field name=value`. */
export const FIELD_TYPES = ['text', 'longtext', 'select', 'multiselect', 'datetime', 'number', 'email', 'url'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

const fieldSchema = z.object({
  name: z.string().regex(
    /^[a-z][A-Za-z0-9_]*(\.[a-z][A-Za-z0-9_]*)*$/, 'expected a field name such as reasons or authority.name',
  ),
  type: z.enum(FIELD_TYPES).default('text'),
  label: z.string().min(1),
  required: z.boolean().default(true),
  /** Choices of a select; `options_from` takes them from the desk's data instead. */
  options: z.array(z.string().min(1)).optional(),
  options_from: z.enum(['request_types', 'languages', 'customers']).optional(),
  hint: z.string().optional(),
});

/** Where a person is offered the event: a `/dpo` word, a button on the case, the reply or the close modal. */
const offerSchema = z.object({
  command: z.string().regex(/^[a-z][a-z-]*$/, 'expected a lower-case word such as verify').optional(),
  button: z.boolean().default(false),
  reply: z.boolean().default(false),
  close: z.boolean().default(false),
}).strict();

/** The named effects code implements for any definition (src/app/workflow-effects.ts checks this list). */
export const EFFECTS = [
  'needs_mail', 'extension_window', 'verify_identity', 'set_request_types', 'open_breach',
  'record_fields', 'start_clock_on_sent', 'late_reasons',
  // the breach desk (src/app/breach/breach-effects.ts)
  'breach_assessment', 'not_a_breach', 'not_notifiable', 'authority_notification', 'customer_alerts',
  'subjects_decision',
  'subjects_notices',
] as const;
export type EffectName = (typeof EFFECTS)[number];

/** Who a transition's mail goes to: the data subject, or the customer(s) named on the case. */
export const MAIL_TO = ['requester', 'customer', 'customers'] as const;

const transitionSchema = z.object({
  on: z.string().regex(/^[A-Z][A-Za-z]+$/, 'expected a past-tense event name such as IdentityVerified'),
  /** Human words for the action (imperative: "Verify identity"); default: the event name in words. */
  label: z.string().min(1).optional(),
  /** Human words for what happened (past: "identity verified"), in thread lines and confirmations. */
  done: z.string().min(1).optional(),
  from: z.array(z.string()).min(1),
  /** Omitted: the case stays in its state (e.g. an extension). */
  to: z.string().optional(),
  roles: z.array(z.enum(ACTOR_ROLES)).min(1),
  /** Only for cases of this organisation role (a processor never notifies an authority). */
  when: z.object({ case_role: z.enum(ORG_ROLES) }).strict().optional(),
  offer: offerSchema.default({ button: false, reply: false, close: false }),
  fields: z.array(fieldSchema).default([]),
  /** `{request_type}` expands to each request type of the case. */
  template: z.string().optional(),
  mail_to: z.enum(MAIL_TO).default('requester'),
  effects: z.array(z.enum(EFFECTS)).default([]),
});

const stateSchema = z.object({
  description: z.string().optional(),
  final: z.boolean().default(false),
  clock: z.enum(['running', 'paused']).default('running'),
  pause_reason: z.enum(['identity', 'clarification', 'fee']).optional(),
}).nullable().transform((s) => s ?? { final: false, clock: 'running' as const });

/** An obligation's own clock as data: e.g. 10 business days from the notice being sent. */
const clockSchema = z.object({
  rule: z.literal('contract'),
  days: z.number().int().positive(),
  unit: z.enum(['calendar', 'business']).default('calendar'),
  /** `received`: from when the case reached the organisation; `notice_sent`: from when its notice went out. */
  from: z.enum(['received', 'notice_sent']).default('received'),
}).strict();

export const workflowSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case id such as subprocessor-change'),
  kind: z.enum(CASE_KINDS),
  /** Human words for the workflow ("Sub-processor change"). */
  label: z.string().min(1).optional(),
  /** Case numbers: `<prefix>-<year>-<n>`; request and breach keep DSR and BRE. */
  prefix: z.string().regex(/^[A-Z]{3,4}$/, 'expected three or four capital letters such as SPC').optional(),
  /** Who may open a case of this workflow by hand, and what they fill in. */
  open: z.object({
    roles: z.array(z.enum(ACTOR_ROLES)).min(1),
    fields: z.array(fieldSchema).default([]),
  }).optional(),
  clock: clockSchema.optional(),
  initial: z.string(),
  states: z.record(z.string(), stateSchema),
  transitions: z.array(transitionSchema).min(1),
  reminders: z.array(reminderSchema).default([]),
  escalation: z.array(escalationSchema).default([]),
});

export type WorkflowDefinition = z.infer<typeof workflowSchema>;
export type TransitionDefinition = WorkflowDefinition['transitions'][number];
export type ReminderDefinition = WorkflowDefinition['reminders'][number];
export type FieldDefinition = TransitionDefinition['fields'][number];

/** "IdentityVerified" → "Identity verified": the default label of a transition without one. */
export function eventWords(event: string): string {
  const words = event.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const labelOf = (t: Pick<TransitionDefinition, 'on' | 'label'>) => t.label ?? eventWords(t.on);
/** What happened, in words; `{field}` is filled in from the event's fields ("risk assessed as {risk}"). */
export function doneOf(t: Pick<TransitionDefinition, 'on' | 'done'>, fields: Record<string, unknown> = {}): string {
  const text = t.done ?? eventWords(t.on).toLowerCase();
  return text.replace(/\{([A-Za-z_.]+)\}/g, (_, name: string) => {
    const v = fields[name];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : '—';
  });
}
export const requiredFields = (t: Pick<TransitionDefinition, 'fields'>) =>
  t.fields.filter((f) => f.required).map((f) => f.name);
export const prefixOf = (wf: Pick<WorkflowDefinition, 'kind' | 'prefix'>) => wf.prefix ?? CASE_PREFIX[wf.kind];

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
export function templatesOf(
  t: Pick<TransitionDefinition, 'template'>, requestTypes: readonly string[] = REQUEST_TYPES,
): string[] {
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
    return {
      ok: false, errors: parsed.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`),
    };
  }
  const wf = parsed.data;
  const errors = [...stateErrors(wf), ...templateErrors(wf, hasTemplate), ...reminderErrors(wf), ...offerErrors(wf)]
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
    for (const s of t.from) {
      if (known(s) && wf.states[s]!.final) errors.push(`transitions.${i} (${t.on}): leaves final state "${s}"`);
    }
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
      if (missing.length) {
        errors.push(`transitions.${i} (${t.on}): missing template "${name}" in ${missing.join(', ')}`);
      }
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
    if (!r.overdue && hoursAfterDue > 0) {
      errors.push(`reminders.${i} (${r.id}): fires after its deadline; mark it overdue: true or move it before`);
    }
    if (r.overdue && hoursAfterDue < 0) {
      errors.push(`reminders.${i} (${r.id}): an overdue reminder must fire at or after the deadline`);
    }
    if (r.repeat && !r.overdue) errors.push(`reminders.${i} (${r.id}): only overdue reminders repeat`);
    if (wf.kind === 'breach' && unit === 'wd') {
      errors.push(`reminders.${i} (${r.id}): breach clocks count elapsed time, not working days`);
    }
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

/** Words `/dpo` keeps for itself: a transition offered as a command needs another. */
export const BUILT_IN_WORDS = [
  'help', 'new', 'breach', 'list', 'export', 'show', 'take', 'assign', 'note', 'reply', 'close', 'pause', 'deadline',
  'events', 'confirm', 'hold', 'release', 'record', 'reports',
] as const;

/** What a surface needs from a transition: fields that can be asked, commands that are unambiguous. */
function offerErrors(wf: WorkflowDefinition): string[] {
  const errors: string[] = [];
  const words = new Map<string, string[]>();
  const fieldErrors = (where: string, fields: readonly FieldDefinition[]) => {
    const names = new Set<string>();
    for (const f of fields) {
      if (names.has(f.name)) errors.push(`${where}: field "${f.name}" is listed twice`);
      names.add(f.name);
      const select = f.type === 'select' || f.type === 'multiselect';
      if (select && !f.options?.length && !f.options_from) {
        errors.push(`${where}: field "${f.name}" needs options or options_from`);
      }
      if (!select && (f.options || f.options_from)) {
        errors.push(`${where}: field "${f.name}" has options but is not a select`);
      }
    }
  };
  wf.transitions.forEach((t, i) => {
    const where = `transitions.${i} (${t.on})`;
    fieldErrors(where, t.fields);
    if (t.offer.reply && !t.template) errors.push(`${where}: offered in the reply modal but sends no template`);
    if (t.offer.close && !(t.to && wf.states[t.to]?.final)) {
      errors.push(`${where}: offered in the close modal but does not end the case`);
    }
    if (t.offer.command) {
      if ((BUILT_IN_WORDS as readonly string[]).includes(t.offer.command)) {
        errors.push(`${where}: "/dpo ${t.offer.command}" is a built-in word; choose another`);
      }
      const key = `${t.offer.command}:${t.when?.case_role ?? '*'}`;
      words.set(key, [...(words.get(key) ?? []), t.on]);
    }
    if (t.effects.includes('needs_mail') && !t.template) errors.push(`${where}: needs_mail without a template`);
    if (t.mail_to !== 'requester' && wf.kind === 'request') {
      errors.push(`${where}: a request's mail goes to the requester`);
    }
  });
  for (const [key, events] of words) {
    if (new Set(events).size > 1) {
      errors.push(`"/dpo ${key.split(':')[0]}" names several events: ${[...new Set(events)].join(', ')}`);
    }
  }
  if (wf.open) fieldErrors('open', wf.open.fields);
  if (wf.kind === 'obligation') {
    if (!wf.prefix) errors.push('prefix: an obligation workflow needs its case-number prefix');
    if (!wf.clock) errors.push('clock: an obligation workflow needs its clock');
    if (!wf.open) errors.push('open: an obligation workflow needs who may open it');
  } else if (wf.clock) errors.push(`clock: a ${wf.kind} workflow takes its clocks from the regimes`);
  return errors;
}

/** An escalation step's delay: hours and whether they are working hours (`4wh`) or every hour (`4h`). */
export function parseEscalationDelay(after: string): { hours: number; working: boolean } {
  return { hours: Number.parseInt(after, 10), working: after.endsWith('wh') };
}
