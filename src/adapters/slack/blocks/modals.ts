/**
 * Modals: new request, breach report, extend, close, case details, and a plain message. Block ids and action ids
 * of inputs are the field names read back on submission (views/values.ts); the case and where the modal was
 * opened from travel in `private_metadata`.
 */
import type { Case, CasePrivate } from '../../../domain/case.ts';
import { REQUEST_REGIMES, REQUEST_TYPES, LANGUAGES } from '../../../domain/vocabulary.ts';
import type { CaseNote } from '../../db/note-repository.ts';
import { ACTION, VIEW } from '../action-ids.ts';
import { button, context, dueText, factsLine, factsOf, plain, section } from './case-facts.ts';
import { intakeLine, type IntakeReading } from '../../../app/intake-reading.ts';

/** What a modal remembers between opening and submission. */
export interface ModalMeta {
  caseNumber?: string;
  /** Where the modal was opened (for an ephemeral confirmation). */
  channel?: string | null;
  /** A Slack message turned into a case: `slack:msg:<channel>:<ts>`. */
  source?: string;
}

const option = (value: string, text = value.replace(/_/g, ' ')) => ({ text: plain(text, 75), value });

function input(
  id: string, label: string, element: Record<string, unknown>, extra: { optional?: boolean; hint?: string } = {},
) {
  return {
    type: 'input', block_id: id, label: plain(label), element: { action_id: id, ...element },
    ...(extra.optional ? { optional: true } : {}), ...(extra.hint ? { hint: plain(extra.hint) } : {}),
  };
}

function modal(callbackId: string, title: string, blocks: unknown[], meta: ModalMeta, submit = 'Submit') {
  return {
    type: 'modal' as const, callback_id: callbackId, title: plain(title, 24), submit: plain(submit, 24),
    close: plain('Cancel', 24), private_metadata: JSON.stringify(meta), blocks,
  };
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export const RECEIVED_VIA = ['email', 'web_form', 'phone', 'letter', 'in_person', 'slack', 'other'] as const;

/** A data subject's request typed in by the team (or turned from a Slack message: `notes` prefilled). */
export function newRequestModal(o: {
  regimes: readonly string[]; defaultLanguage: string; receivedAt: Date; notes?: string; meta: ModalMeta;
}) {
  return modal(VIEW.newRequest, 'New request', [
    input('types', 'Request types', { type: 'multi_static_select', options: REQUEST_TYPES.map((t) => option(t)) }),
    input('regimes', 'Regime', {
      type: 'multi_static_select', options: REQUEST_REGIMES.map((r) => option(r, r)),
      ...(o.regimes.length ? { initial_options: o.regimes.map((r) => option(r, r)) } : {}),
    }, { optional: true, hint: 'Default: the organisation\'s regimes.' }),
    input('received_at', 'Received (date and time)',
      { type: 'datetimepicker', initial_date_time: seconds(o.receivedAt) },
      { hint: 'When it reached the organisation: the clock runs from here.' }),
    input('received_via', 'Channel of receipt', {
      type: 'static_select', options: RECEIVED_VIA.map((v) => option(v)), initial_option: option('email'),
    }),
    input('requester_name', 'Requester name', { type: 'plain_text_input' }, { optional: true }),
    input('requester_email', 'Requester e-mail', { type: 'email_text_input' },
      { optional: true, hint: 'Replies go here.' }),
    input('requester_address', 'Requester postal address', { type: 'plain_text_input', multiline: true },
      { optional: true }),
    input('language', 'Language of replies', {
      type: 'static_select', options: LANGUAGES.map((l) => option(l)), initial_option: option(o.defaultLanguage),
    }),
    input('notes', 'What the request says', {
      type: 'plain_text_input', multiline: true, ...(o.notes ? { initial_value: o.notes.slice(0, 3000) } : {}),
    }, { optional: true, hint: 'Kept with the case; never posted in a channel.' }),
  ], o.meta);
}

/** A security incident (GDPR Art. 33(3) facts); the 72-hour clock runs from awareness. */
export function breachModal(o: { now: Date; meta: ModalMeta }) {
  return modal(VIEW.breachReport, 'Breach report', [
    input('detected_at', 'Detected at', { type: 'datetimepicker' }, { optional: true }),
    input('aware_at', 'Aware at', { type: 'datetimepicker', initial_date_time: seconds(o.now) },
      { hint: 'When the organisation became aware: the 72 hours run from here (Art. 33(1)).' }),
    input('aware_rationale', 'Why then?', { type: 'plain_text_input' }, { optional: true }),
    input('description', 'What happened', { type: 'plain_text_input', multiline: true }),
    input('data_categories', 'Data categories', { type: 'plain_text_input' },
      { hint: 'Comma-separated, e.g. contact details, health data.' }),
    input('people', 'People affected (approx.)', { type: 'number_input', is_decimal_allowed: false, min_value: '0' },
      { optional: true }),
    input('records', 'Records affected (approx.)', { type: 'number_input', is_decimal_allowed: false, min_value: '0' },
      { optional: true }),
    input('systems', 'Systems', { type: 'plain_text_input' }, { optional: true }),
    input('processor', 'Processor involved?', {
      type: 'radio_buttons', options: [option('no'), option('yes'), option('unknown')], initial_option: option('no'),
    }),
    input('processor_name', 'Processor', { type: 'plain_text_input' }, { optional: true }),
  ], o.meta);
}

/** The data subject's details and the private notes: only ever in a modal, after the role check. */
export function detailsModal(
  c: Case, p: CasePrivate | null, notes: readonly CaseNote[], zone: string, now: Date,
  intake: IntakeReading | null = null,
) {
  const who = p?.redactedAt ? '_redacted_' : [
    `*Name:* ${p?.requesterName ?? '—'}`,
    `*E-mail:* ${p?.requesterEmail ?? '—'}${p?.requesterVerified ? ' (verified)' : ' (unverified)'}`,
    `*Address:* ${p?.requesterAddress ?? '—'}`, `*Subject:* ${p?.subject ?? '—'}`,
  ].join('\n');
  return {
    type: 'modal' as const, callback_id: VIEW.details, title: plain(c.number, 24), close: plain('Close', 24),
    private_metadata: JSON.stringify({ caseNumber: c.number }),
    blocks: [
      section(factsLine(factsOf(c), zone, now)),
      ...(intake ? [section(`*Intake:* ${intakeLine(intake)}`)] : []),
      section(who),
      ...(p && !p.redactedAt && !p.requesterVerified && !c.closedAt ? [{
        type: 'actions', elements: [button(ACTION.confirm, 'Confirm address', c.number, 'primary')],
      }] : []),
      section(`*What they wrote:*\n${p?.redactedAt ? '_redacted_' : (p?.content ?? '—').slice(0, 2800)}`),
      section(`*Notes:*\n${notes.length
        ? notes.map((n) => `• <@${n.author}>: ${n.text}`).join('\n').slice(0, 2900)
        : '—'}`),
    ],
  };
}

/** A modal with one message (a refusal, a confirmation). */
export function messageModal(title: string, text: string) {
  return { type: 'modal' as const, title: plain(title, 24), close: plain('Close', 24), blocks: [section(text)] };
}
