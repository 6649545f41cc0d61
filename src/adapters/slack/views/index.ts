/**
 * Form submissions. Invalid input is answered in the ack (`response_action: errors`, next to the field). A
 * submission whose use case can refuse runs that one local transaction before the ack, because Slack shows a
 * refusal inside the modal only through the ack; the rest ack first and confirm ephemerally. The forms and what
 * they submit come from the workflow definitions; the use case checks permission once.
 */
import type { App } from '@slack/bolt';
import { parse as parseYaml } from 'yaml';
import { applyCaseEvent, markReplyDrafted, type CommandOutcome } from '../../../app/case-actions.ts';
import { caseFor, eventTemplates, offers } from '../../../app/offers.ts';
import { doneOf } from '../../../domain/workflow/definition.ts';
import { transitionFor } from '../../../domain/workflow/interpreter.ts';
import { LANGUAGES, type Language } from '../../../domain/vocabulary.ts';
import { VIEW } from '../action-ids.ts';
import { missingFieldErrors, type EventMeta } from '../blocks/event-form.ts';
import { messageModal } from '../blocks/modals.ts';
import { replyPreviewModal, type ReplyDraft } from '../blocks/reply.ts';
import { previewReply } from '../case-queries.ts';
import { outcomeText } from '../commands/run-command.ts';
import { fetchSlackFiles, submittedFiles } from '../reply-files.ts';
import { actorOf, type SlackContext } from '../context.ts';
import { openValidated, openWorkflowValidated, validateBreach, validateRequest } from './intake.ts';
import {
  fieldError, instant, metaOf, text, viewKey, viewValues, type FieldValue, type SubmittedView,
} from './values.ts';

type Client = App['client'];

const done = (title: string, message: string) =>
  ({ response_action: 'update' as const, view: messageModal(title, message) });
const denied = (message: string) => done('Not allowed', `:no_entry: ${message}`);

/** An ephemeral line where the modal was opened from (direct: it answers this user's own action). */
async function confirm(client: Client, channel: string | null | undefined, user: string, message: string) {
  if (channel) await client.chat.postEphemeral({ channel, user, text: message });
}

/** A form's values as event fields: date-times as ISO instants, blanks left out. */
function fieldsOf(values: Record<string, FieldValue>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) {
    const v = values[n];
    if (v === null || v === undefined) continue;
    out[n] = typeof v === 'number' ? instant(v)!.toISOString() : v;
  }
  return out;
}

/** A refusal shown next to the field it is about (or the first field). */
function refusalAck(sv: SubmittedView, r: Extract<CommandOutcome, { ok: false }>, fields: readonly string[]) {
  if (r.code === 'NOT_ALLOWED') return denied(r.message);
  const named = fields.find((f) => r.message.includes(f)) ?? fields[0];
  return named ? fieldError(sv, named, r.message) : done('Not done', `:x: ${r.message}`);
}

export function register(app: App, ctx: SlackContext): void {
  for (const [callback, validate] of [
    [VIEW.newRequest, validateRequest], [VIEW.breachReport, validateBreach],
  ] as const) {
    app.view(callback, async ({ ack, body, view, client }) => {
      const user = body.user.id;
      const role = await ctx.roles.roleOf(user);
      const meta = metaOf(view as SubmittedView);
      const v = validate(view as SubmittedView, meta, user, role, ctx.now());
      if (!v.ok) return void (await ack({ response_action: 'errors', errors: v.errors }));
      const opened = await openValidated(ctx, v);
      if (!opened.ok) return void (await ack(denied(opened.message)));
      await ack();
      await confirm(client, meta.channel, user, opened.message);
    });
  }

  app.view(VIEW.openWorkflow, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const sv = view as SubmittedView;
    const meta = metaOf(sv) as EventMeta;
    const r = await openWorkflowValidated(ctx, sv, meta, actorOf(user, await ctx.roles.roleOf(user)));
    if (!r.ok) {
      return void (await ack('errors' in r ? { response_action: 'errors', errors: r.errors } : denied(r.message)));
    }
    await ack();
    await confirm(client, meta.channel, user, r.message);
  });

  app.view(VIEW.caseEvent, async ({ ack, body, view }) => {
    const user = body.user.id;
    const sv = view as SubmittedView;
    const meta = metaOf(sv) as EventMeta;
    const actor = actorOf(user, await ctx.roles.roleOf(user));
    const loaded = await caseFor(ctx.deps, meta.caseNumber ?? '', actor, () => ({ action: 'view' }));
    const t = loaded.ok ? transitionFor(ctx.deps.workflows.of(loaded.case), meta.event ?? '', loaded.case) : null;
    if (!loaded.ok || !t) {
      return void (await ack(done('Not done', `:x: ${loaded.ok ? `No event ${meta.event}.` : loaded.message}`)));
    }
    const names = t.fields.map((f) => f.name);
    const fields = fieldsOf(viewValues(sv), names);
    const missing = missingFieldErrors(t.fields, fields, t.label ?? t.on);
    if (Object.keys(missing).length) return void (await ack({ response_action: 'errors', errors: missing }));
    const r = await applyCaseEvent(
      ctx.deps, { caseNumber: loaded.case.number, actor, key: viewKey(sv), type: t.on, fields }, ctx.now(),
    );
    if (!r.ok) return void (await ack(refusalAck(sv, r, names)));
    await ack(done('Done', outcomeText(r, (c) =>
      `${c.number}: ${doneOf(t, fields)} (state ${c.state.replace(/_/g, ' ')}).`)));
  });

  app.view(VIEW.close, async ({ ack, body, view }) => {
    const user = body.user.id;
    const sv = view as SubmittedView;
    const meta = metaOf(sv);
    const v = viewValues(sv);
    const actor = actorOf(user, await ctx.roles.roleOf(user));
    const loaded = await caseFor(ctx.deps, meta.caseNumber ?? '', actor, () => ({ action: 'view' }));
    if (!loaded.ok) return void (await ack(done('Not done', `:x: ${loaded.message}`)));
    const event = text(v.resolution) ?? '';
    const chosen = offers(ctx.deps.workflows, loaded.case, { role: actor.role, user }, 'close')
      .find((o) => o.event === event);
    const t = chosen?.transition ?? transitionFor(ctx.deps.workflows.of(loaded.case), event, loaded.case);
    if (!t) return void (await ack(fieldError(sv, 'resolution', 'Pick a resolution.')));
    const names = t.fields.map((f) => f.name);
    const fields = fieldsOf(v, names);
    const missing = missingFieldErrors(t.fields, fields, `Closing as "${chosen?.label ?? event}"`);
    if (Object.keys(missing).length) return void (await ack({ response_action: 'errors', errors: missing }));
    const r = await applyCaseEvent(
      ctx.deps, { caseNumber: loaded.case.number, actor, key: viewKey(sv), type: t.on, fields }, ctx.now(),
    );
    if (!r.ok) return void (await ack(refusalAck(sv, r, names)));
    await ack(done('Closed', outcomeText(r, (x) => `${x.number} is ${x.state.replace(/_/g, ' ')}.`)));
  });

  registerReply(app, ctx);
}

function registerReply(app: App, ctx: SlackContext): void {
  app.view(VIEW.replyCompose, async ({ ack, body, view }) => {
    const user = body.user.id;
    const sv = view as SubmittedView;
    const v = viewValues(sv);
    const meta = metaOf(sv);
    const actor = actorOf(user, await ctx.roles.roleOf(user));
    const loaded = await caseFor(ctx.deps, meta.caseNumber ?? '', actor, () => ({ action: 'reply' }));
    if (!loaded.ok) return void (await ack(denied(loaded.message)));
    const c = loaded.case;
    const option = text(v.reply_template) ?? '';
    const chosen = offers(ctx.deps.workflows, c, { role: actor.role, user }, 'reply').find((o) => o.event === option);
    if (!chosen) {
      return void (await ack(fieldError(sv, 'reply_template', 'Pick a reply you may send on this case now.')));
    }
    const language = (LANGUAGES as readonly string[]).includes(text(v.language) ?? '')
      ? text(v.language) as Language
      : c.language;
    let fields: Record<string, unknown>;
    try {
      const parsed: unknown = parseYaml(text(v.details) ?? '') ?? {};
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected "name: value" lines');
      fields = parsed as Record<string, unknown>;
    } catch (e) {
      return void (await ack(fieldError(sv, 'details', `Not valid YAML: ${(e as Error).message.split('\n')[0]}`)));
    }
    const files = submittedFiles(sv);
    const metas = files.map((f) => ({ filename: f.name, size: f.size }));
    const preview = await previewReply(ctx.deps, c, option, language, fields, metas);
    if (!preview.ok) return void (await ack(fieldError(sv, preview.about ?? 'details', preview.message)));
    const draft: ReplyDraft = { ...meta, caseNumber: c.number, option, label: chosen.label, language, fields, files };
    if (JSON.stringify(draft).length > 3000) {
      return void (await ack(fieldError(
        sv, 'details', 'Too long for a Slack modal: send this reply with the CLI (`dpo-desk reply`).',
      )));
    }
    await ack({ response_action: 'push', view: replyPreviewModal(c, preview.mails, draft) as never });
    await markReplyDrafted(ctx.deps, {
      caseNumber: c.number, actor, key: `slack:draft:${sv.id}`,
      templates: eventTemplates(ctx.deps.workflows, c, option),
    }, ctx.now());
  });

  app.view(VIEW.replySend, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const sv = view as SubmittedView;
    const draft = metaOf(sv) as ReplyDraft;
    const actor = actorOf(user, await ctx.roles.roleOf(user));
    // The files' bytes come from Slack now (the preview knew names and sizes only); a failure sends nothing.
    const got = draft.files?.length
      ? await fetchSlackFiles(client, ctx.deps.config.slack!.botToken, draft.files, 
        ctx.deps.config.mail.maxAttachmentBytes)
      : { ok: true as const, files: [] };
    if (!got.ok) return void (await ack(done('Not sent', `:x: ${got.message}`)));
    // The key is the reply modal (the root view): back, preview again and send is still one reply.
    const r = await applyCaseEvent(ctx.deps, {
      caseNumber: draft.caseNumber, actor, key: viewKey(sv), type: draft.option, language: draft.language as Language,
      fields: draft.fields ?? {}, attachments: got.files,
    }, ctx.now());
    if (!r.ok) {
      return void (await ack(r.code === 'NOT_ALLOWED' ? denied(r.message) : done('Not sent', `:x: ${r.message}`)));
    }
    await ack({ response_action: 'clear' });
    const files = got.files.length ? ` with ${got.files.length} file(s) attached` : '';
    const queued = r.mails ? `${r.mails} mail(s) queued to the data subject${files}` : 'done; no mail goes with it';
    await confirm(client, draft.channel, user, outcomeText(r, (x) => `${x.number}: ${queued}; state ${x.state}.`));
  });
}
