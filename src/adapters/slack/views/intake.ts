/**
 * Opening a case from Slack: the new-request and breach-report modals, their validation, and the case they open.
 * A submission opens at most one case: its source key is the modal (or the Slack message it was made from).
 */
import { openCaseRecorded, type OpenCaseInput } from '../../../app/open-case.ts';
import type { Channel } from '../../../domain/case.ts';
import {
  LANGUAGES, REQUEST_REGIMES, REQUEST_TYPES, type Language, type RegimeId, type RequestType,
} from '../../../domain/vocabulary.ts';
import { breachModal, newRequestModal, type ModalMeta } from '../blocks/modals.ts';
import { missingFieldErrors, openWorkflowModal, type EventMeta } from '../blocks/event-form.ts';
import { fieldOptions } from '../case-queries.ts';
import { openWorkflowCase } from '../../../app/open-workflow-case.ts';
import type { Actor } from '../../../app/deps.ts';
import type { WorkflowDefinition } from '../../../domain/workflow/definition.ts';
import { authorize } from '../../../domain/workflow/permissions.ts';
import { ephemeral } from '../blocks/lists.ts';
import { actorOf, type Responder, type SlackContext } from '../context.ts';
import type { SlackRole } from '../roles.ts';
import { count, instant, list, text, viewKey, viewValues, type SubmittedView } from './values.ts';

/** Opens the new-request or breach modal (the role was checked by the caller). */
export async function openCaseForm(
  ctx: SlackContext, io: Responder, kind: 'new' | 'breach', meta: ModalMeta,
  prefill: { notes?: string; receivedAt?: Date } = {},
): Promise<void> {
  const { org } = ctx.deps.config;
  const view = kind === 'breach' ? breachModal({ now: ctx.now(), meta })
    : newRequestModal({
      regimes: org.regimes, defaultLanguage: org.defaultLanguage, receivedAt: prefill.receivedAt ?? ctx.now(),
      notes: prefill.notes, meta,
    });
  if (!(await io.openView(view))) {
    await io.reply(ephemeral(`Type \`${ctx.slack.command} ${kind}\` in a channel to open the form.`));
  }
}

type Errors = Record<string, string>;
export type Validated =
  | { ok: true; input: OpenCaseInput; intake: Record<string, string | number | boolean | string[] | null> }
  | { ok: false; errors: Errors };

const CHANNEL_OF: Record<string, Channel> = { email: 'mail', web_form: 'form' };
const isIn = <T extends string>(xs: readonly T[], x: string): x is T => (xs as readonly string[]).includes(x);

/** The new-request modal's values → the case to open, or the errors to show next to the fields. */
export function validateRequest(
  view: SubmittedView, meta: ModalMeta, user: string, role: SlackRole, now: Date,
): Validated {
  const v = viewValues(view);
  const errors: Errors = {};
  const types = list(v.types).filter((t): t is RequestType => isIn(REQUEST_TYPES, t));
  const regimes = list(v.regimes).filter((r): r is RegimeId => isIn(REQUEST_REGIMES, r));
  const receivedAt = instant(v.received_at);
  const email = text(v.requester_email);
  if (!types.length) errors.types = 'Pick at least one request type.';
  if (!receivedAt) errors.received_at = 'When did the request reach the organisation?';
  else if (receivedAt.getTime() > now.getTime() + 60_000) errors.received_at = 'The receipt cannot be in the future.';
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.requester_email = 'Not an e-mail address.';
  if (Object.keys(errors).length) return { ok: false, errors };
  const via = text(v.received_via) ?? 'other';
  const language = text(v.language);
  return {
    ok: true,
    input: {
      kind: 'request', requestTypes: types, ...(regimes.length ? { regimes } : {}), channel: CHANNEL_OF[via] ?? 'slack',
      ...(language && isIn(LANGUAGES, language) ? { language: language as Language } : {}), receivedAt: receivedAt!,
      // Typed in by the team from what the person gave them: their address to answer to.
      requester: {
        email: email?.toLowerCase() ?? null, name: text(v.requester_name), verified: Boolean(email),
        address: text(v.requester_address),
      },
      content: text(v.notes), sourceKey: meta.source ?? viewKey(view), actor: actorOf(user, role),
    },
    intake: { receivedVia: via, enteredFrom: meta.source ? 'message-shortcut' : 'modal' },
  };
}

/** The breach modal's values → the case (72 h from awareness) and the register facts of Art. 33(3)/(5). */
export function validateBreach(
  view: SubmittedView, meta: ModalMeta, user: string, role: SlackRole, now: Date,
): Validated {
  const v = viewValues(view);
  const errors: Errors = {};
  const awareAt = instant(v.aware_at);
  const detectedAt = instant(v.detected_at);
  const description = text(v.description);
  const categories = (text(v.data_categories) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!awareAt) errors.aware_at = 'When did the organisation become aware?';
  else if (awareAt.getTime() > now.getTime() + 60_000) errors.aware_at = 'Awareness cannot be in the future.';
  if (detectedAt && detectedAt.getTime() > now.getTime() + 60_000) {
    errors.detected_at = 'Detection cannot be in the future.';
  }
  if (!description) errors.description = 'Describe what happened.';
  if (!categories.length) errors.data_categories = 'Name the categories of data concerned.';
  if (Object.keys(errors).length) return { ok: false, errors };
  const facts = {
    dataCategories: categories, people: count(v.people), records: count(v.records), systems: text(v.systems),
    processor: text(v.processor) ?? 'unknown', processorName: text(v.processor_name),
  };
  const content = [description, '', `Data categories: ${categories.join(', ')}`,
    `People (approx.): ${facts.people ?? 'unknown'}`,
    `Records (approx.): ${facts.records ?? 'unknown'}`, `Systems: ${facts.systems ?? '—'}`,
    `Processor involved: ${facts.processor}${facts.processorName ? ` (${facts.processorName})` : ''}`].join('\n');
  return {
    ok: true,
    input: {
      kind: 'breach', channel: 'slack', receivedAt: now, detectedAt, awareAt, awareRationale: text(v.aware_rationale),
      content, sourceKey: meta.source ?? viewKey(view), actor: actorOf(user, role),
    },
    intake: { ...facts, enteredFrom: 'modal' },
  };
}

/** Opens the case (once per source) if the person may, and tells them where it stands. */
export async function openValidated(
  ctx: SlackContext, v: Extract<Validated, { ok: true }>,
): Promise<{ ok: boolean; message: string }> {
  const allowed = authorize(v.input.actor.role, { action: 'open' }, { user: v.input.actor.id });
  if (!allowed.ok) return allowed;
  const opened = await openCaseRecorded(ctx.deps, v.input, v.intake, ctx.now());
  const c = opened.case;
  return {
    ok: true,
    message: opened.created
      ? `Opened *${c.number}* (${c.kind}) — due ${c.governingDueAt?.toISOString() ?? '—'}. `
        + 'The triage channel gets a message without personal data.'
      : `Already opened as *${c.number}* (this submission was handled before).`,
  };
}

/** The form that opens a case of any workflow this person may open (`/dpo new <workflow>`). */
export async function openWorkflowForm(
  ctx: SlackContext, io: Responder, wf: WorkflowDefinition, meta: ModalMeta,
): Promise<void> {
  const view = openWorkflowModal(wf, { now: ctx.now(), meta, options: await fieldOptions(ctx.deps) });
  if (!(await io.openView(view))) {
    await io.reply(ephemeral(`Type \`${ctx.slack.command} new ${wf.id}\` in a channel to open the form.`));
  }
}

/** A submitted workflow form → the case, once per submission. */
export async function openWorkflowValidated(
  ctx: SlackContext, view: SubmittedView, meta: EventMeta, actor: Actor,
): Promise<{ ok: true; message: string } | { ok: false; errors: Errors } | { ok: false; message: string }> {
  const wf = ctx.deps.workflows.get(meta.workflow ?? '');
  if (!wf) return { ok: false, message: `No workflow ${meta.workflow}.` };
  const v = viewValues(view);
  const receivedAt = instant(v.received_at);
  const fields = Object.fromEntries((wf.open?.fields ?? [])
    .map((f) => [f.name, v[f.name]])
    .filter(([, x]) => x !== null && x !== undefined));
  const errors = missingFieldErrors(wf.open?.fields ?? [], fields, 'Opening');
  if (!receivedAt) errors.received_at = 'When did it start?';
  if (Object.keys(errors).length) return { ok: false, errors };
  const r = await openWorkflowCase(
    ctx.deps, { workflow: wf.id, receivedAt: receivedAt!, fields, actor, sourceKey: viewKey(view) }, ctx.now(),
  );
  if (!r.ok) return { ok: false, message: r.message };
  return {
    ok: true,
    message: r.created ? `Opened *${r.case.number}* (${wf.label ?? wf.id}).` : `Already opened as *${r.case.number}*.`,
  };
}
