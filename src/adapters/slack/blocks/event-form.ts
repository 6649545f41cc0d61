/**
 * Forms built from a workflow definition: the modal for one event (its fields as inputs), the close modal (the
 * resolutions the definition offers, each with its fields), and the modal that opens a case of any workflow.
 * Block and action ids are the field names; a submission is read back with views/values.ts.
 */
import type { FieldDefinition, TransitionDefinition, WorkflowDefinition } from '../../../domain/workflow/definition.ts';
import { LANGUAGES, REQUEST_TYPES } from '../../../domain/vocabulary.ts';
import { VIEW } from '../action-ids.ts';
import { context, plain, section } from './case-facts.ts';
import type { ModalMeta } from './modals.ts';

/** What an event form remembers: the case, the event, where it was opened from. */
export interface EventMeta extends ModalMeta {
  event?: string;
  workflow?: string;
}

/** Choices a field takes from the desk's data (`options_from`). */
export type OptionSource = (from: NonNullable<FieldDefinition['options_from']>) => readonly string[];

export const defaultOptions: OptionSource = (from) =>
  (from === 'request_types' ? REQUEST_TYPES : from === 'languages' ? LANGUAGES : []);

const option = (value: string) => ({ text: plain(value.replace(/_/g, ' '), 75), value });

/** One input for one field; `optional` forces Slack to accept it blank (the use case checks what is required). */
export function fieldInput(f: FieldDefinition, options: OptionSource, o: { optional?: boolean; suffix?: string } = {}) {
  const choices = f.options ?? (f.options_from ? options(f.options_from) : []);
  const element: Record<string, unknown> = (() => {
    switch (f.type) {
      case 'longtext': return { type: 'plain_text_input', multiline: true };
      case 'select': return { type: 'static_select', options: choices.slice(0, 100).map(option) };
      case 'multiselect': return { type: 'multi_static_select', options: choices.slice(0, 100).map(option) };
      case 'datetime': return { type: 'datetimepicker' };
      case 'number': return { type: 'number_input', is_decimal_allowed: false };
      case 'email': return { type: 'email_text_input' };
      case 'url': return { type: 'url_text_input' };
      default: return { type: 'plain_text_input' };
    }
  })();
  return {
    type: 'input', block_id: f.name, label: plain(`${f.label}${o.suffix ?? ''}`, 2000),
    element: { action_id: f.name, ...element },
    ...(o.optional || !f.required ? { optional: true } : {}), ...(f.hint ? { hint: plain(f.hint, 2000) } : {}),
  };
}

function modal(callbackId: string, title: string, blocks: unknown[], meta: EventMeta, submit: string) {
  return {
    type: 'modal' as const, callback_id: callbackId, title: plain(title, 24), submit: plain(submit, 24),
    close: plain('Cancel', 24), private_metadata: JSON.stringify(meta), blocks,
  };
}

/** The form of one event: what the case is, what the event will do, its fields. */
export function eventModal(
  caseNumber: string, t: TransitionDefinition, label: string,
  o: { facts: string; notes: string[]; meta: EventMeta; options: OptionSource },
) {
  return modal(VIEW.caseEvent, `${caseNumber}`, [
    section(`*${label}*\n${o.facts}`),
    ...o.notes.map((n) => context(n)),
    ...t.fields.map((f) => fieldInput(f, o.options)),
  ], { ...o.meta, caseNumber, event: t.on }, 'Submit');
}

/** Closing: the resolutions the definition offers this person now, each with its own fields. */
export function closeModal(
  caseNumber: string, resolutions: readonly { event: string; label: string; transition: TransitionDefinition }[],
  o: { facts: string; meta: ModalMeta; options: OptionSource },
) {
  const fields = new Map<string, { f: FieldDefinition; events: string[] }>();
  for (const r of resolutions) {
    for (const f of r.transition.fields) {
      fields.set(f.name, { f, events: [...(fields.get(f.name)?.events ?? []), r.label] });
    }
  }
  const first = resolutions[0];
  return modal(VIEW.close, `Close ${caseNumber}`, [
    section(o.facts),
    {
      type: 'input', block_id: 'resolution', label: plain('Resolution'),
      element: {
        type: 'static_select', action_id: 'resolution',
        options: resolutions.map((r) => ({ text: plain(r.label, 75), value: r.event })),
        ...(first ? { initial_option: { text: plain(first.label, 75), value: first.event } } : {}),
      },
    },
    ...[...fields.values()].map(({ f, events }) => fieldInput(f, o.options, {
      optional: true, suffix: events.length < resolutions.length ? ` (${events.join('; ')})` : '',
    })),
  ], { ...o.meta, caseNumber }, 'Close case');
}

/** Opening a case of a workflow by hand: when it reached the organisation, and the definition's fields. */
export function openWorkflowModal(wf: WorkflowDefinition, o: { now: Date; meta: EventMeta; options: OptionSource }) {
  return modal(VIEW.openWorkflow, `New ${wf.prefix ?? wf.id}`.slice(0, 24), [
    section(`*${wf.label ?? wf.id}*`),
    {
      type: 'input', block_id: 'received_at', label: plain('Received or started (date and time)'),
      element: {
        type: 'datetimepicker', action_id: 'received_at', initial_date_time: Math.floor(o.now.getTime() / 1000),
      },
    },
    ...(wf.open?.fields ?? []).map((f) => fieldInput(f, o.options)),
  ], { ...o.meta, workflow: wf.id }, 'Open');
}

/** Fields a person left blank that the transition requires, as modal errors next to them. */
export function missingFieldErrors(fields: readonly FieldDefinition[], values: Record<string, unknown>, what: string) {
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.required && (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length))) {
      errors[f.name] = `${what} needs ${f.label.replace(/ \(.*\)$/, '').toLowerCase()}.`;
    }
  }
  return errors;
}
