/**
 * Modal submissions. Invalid input is answered in the ack (`response_action: errors`, next to the field). A
 * submission whose use case can refuse (extend after the first month, close from the wrong state, a reply the
 * template cannot be filled for) runs that one local transaction before the ack, because Slack shows a refusal
 * inside the modal only through the ack; the rest ack first and confirm ephemerally.
 */
import type { App } from '@slack/bolt';
import { parse as parseYaml } from 'yaml';
import { findCaseByNumber } from '../../db/case-repository.ts';
import { applyCaseEvent, markReplyDrafted, REPLY_OPTIONS, replyTemplates, sendReply } from '../../../app/case-commands.ts';
import { LANGUAGES, type Language } from '../../../domain/vocabulary.ts';
import { VIEW } from '../action-ids.ts';
import { messageModal } from '../blocks/modals.ts';
import { replyPreviewModal, type ReplyDraft } from '../blocks/reply.ts';
import { previewReply } from '../case-queries.ts';
import { outcomeText } from '../commands/run-command.ts';
import { actorOf, type SlackContext } from '../context.ts';
import { permits, type SlackAction } from '../roles.ts';
import { openValidated, validateBreach, validateRequest } from './intake.ts';
import { fieldError, metaOf, text, viewKey, viewValues, type SubmittedView } from './values.ts';

type Client = App['client'];

const denied = (message: string) => ({ response_action: 'update' as const, view: messageModal('Not allowed', `:no_entry: ${message}`) });
const done = (title: string, message: string) => ({ response_action: 'update' as const, view: messageModal(title, message) });

/** An ephemeral line where the modal was opened from (direct: it answers this user's own action). */
async function confirm(client: Client, channel: string | null | undefined, user: string, message: string) {
  if (channel) await client.chat.postEphemeral({ channel, user, text: message });
}

/** The action a reply option needs: answering and asking are the team's; refusing and telling the affected people the DPO's. */
const REPLY_ACTION: Record<string, SlackAction> = { refusal: 'refuse', 'breach-subject-notice': 'notify' };

export function register(app: App, ctx: SlackContext): void {
  for (const [callback, validate] of [[VIEW.newRequest, validateRequest], [VIEW.breachReport, validateBreach]] as const) {
    app.view(callback, async ({ ack, body, view, client }) => {
      const user = body.user.id;
      const role = await ctx.roles.roleOf(user);
      const allowed = permits(role, 'open', { user });
      if (!allowed.ok) return void (await ack(denied(allowed.message)));
      const meta = metaOf(view as SubmittedView);
      const v = validate(view as SubmittedView, meta, user, role, ctx.now());
      if (!v.ok) return void (await ack({ response_action: 'errors', errors: v.errors }));
      await ack();
      await confirm(client, meta.channel, user, await openValidated(ctx, v));
    });
  }

  app.view(VIEW.extend, async ({ ack, body, view }) => {
    const user = body.user.id;
    const role = await ctx.roles.roleOf(user);
    const sv = view as SubmittedView;
    const meta = metaOf(sv);
    const allowed = permits(role, 'extend', { user });
    if (!allowed.ok) return void (await ack(denied(allowed.message)));
    const reasons = text(viewValues(sv).reasons);
    if (!reasons) return void (await ack(fieldError(sv, 'reasons', 'An extension needs reasons (GDPR Art. 12(3)).')));
    const r = await applyCaseEvent(ctx.deps, {
      caseNumber: meta.caseNumber!, actor: actorOf(user, role), key: viewKey(sv), type: 'ExtensionRequested', fields: { reasons },
    }, ctx.now());
    if (!r.ok) return void (await ack(fieldError(sv, 'reasons', r.message)));
    await ack(done('Extension requested', outcomeText(r, (c) => `${c.number}: the extension notice is queued; the new due date applies once it is sent.`)));
  });

  app.view(VIEW.close, async ({ ack, body, view }) => {
    const user = body.user.id;
    const role = await ctx.roles.roleOf(user);
    const sv = view as SubmittedView;
    const meta = metaOf(sv);
    const v = viewValues(sv);
    const event = text(v.resolution) ?? '';
    const c = await findCaseByNumber(ctx.deps.database.db, meta.caseNumber ?? '');
    const allowed = permits(role, event === 'Refused' ? 'refuse' : 'close', { user, owner: c?.owner });
    if (!allowed.ok) return void (await ack(denied(allowed.message)));
    const outcome = text(v.outcome);
    if (!outcome) return void (await ack(fieldError(sv, 'outcome', 'Closing needs an outcome.')));
    const authority = text(v.authority_name) ? { name: text(v.authority_name), url: text(v.authority_url) } : undefined;
    const fields = { outcome, ...(event === 'Refused' ? { reasons: outcome, ...(authority ? { authority } : {}) } : {}) };
    const r = await applyCaseEvent(ctx.deps, { caseNumber: meta.caseNumber!, actor: actorOf(user, role), key: viewKey(sv), type: event, fields }, ctx.now());
    if (!r.ok) return void (await ack(fieldError(sv, r.code === 'TEMPLATE_CONTEXT_INVALID' ? 'authority_name' : 'outcome', r.message)));
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
    const c = await findCaseByNumber(ctx.deps.database.db, meta.caseNumber ?? '');
    const option = text(v.reply_template) ?? '';
    const role = await ctx.roles.roleOf(user);
    const allowed = permits(role, REPLY_ACTION[option] ?? 'reply', { user, owner: c?.owner });
    if (!allowed.ok || !c) return void (await ack(denied(allowed.ok ? `No case ${meta.caseNumber}.` : allowed.message)));
    const language = (LANGUAGES as readonly string[]).includes(text(v.language) ?? '') ? text(v.language) as Language : c.language;
    let fields: Record<string, unknown>;
    try {
      const parsed: unknown = parseYaml(text(v.details) ?? '') ?? {};
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected "name: value" lines');
      fields = parsed as Record<string, unknown>;
    } catch (e) {
      return void (await ack(fieldError(sv, 'details', `Not valid YAML: ${(e as Error).message.split('\n')[0]}`)));
    }
    if (!REPLY_OPTIONS[option]) return void (await ack(fieldError(sv, 'reply_template', 'Pick a template.')));
    const preview = await previewReply(ctx.deps, c, option, language, fields);
    if (!preview.ok) return void (await ack(fieldError(sv, 'details', preview.message)));
    const draft: ReplyDraft = { ...meta, caseNumber: c.number, option, language, fields };
    if (JSON.stringify(draft).length > 3000) return void (await ack(fieldError(sv, 'details', 'Too long for a Slack modal: send this reply with the CLI.')));
    await ack({ response_action: 'push', view: replyPreviewModal(c, preview.mails, draft) as never });
    await markReplyDrafted(ctx.deps, {
      caseNumber: c.number, actor: actorOf(user, role), key: `slack:draft:${sv.id}`, templates: replyTemplates(c, option),
    }, ctx.now());
  });

  app.view(VIEW.replySend, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const sv = view as SubmittedView;
    const draft = metaOf(sv) as ReplyDraft;
    const c = await findCaseByNumber(ctx.deps.database.db, draft.caseNumber ?? '');
    const role = await ctx.roles.roleOf(user);
    const allowed = permits(role, REPLY_ACTION[draft.option] ?? 'reply', { user, owner: c?.owner });
    if (!allowed.ok) return void (await ack(denied(allowed.message)));
    // The key is the reply modal (the root view): back, preview again and send is still one reply.
    const r = await sendReply(ctx.deps, {
      caseNumber: draft.caseNumber, actor: actorOf(user, role), key: viewKey(sv), option: draft.option,
      language: draft.language as Language, fields: draft.fields ?? {},
    }, ctx.now());
    if (!r.ok) return void (await ack(done('Not sent', `:x: ${r.message}`)));
    await ack({ response_action: 'clear' });
    await confirm(client, draft.channel, user, outcomeText(r, (x) => `${x.number}: ${r.mails ? `${r.mails} mail(s) queued to the data subject` : 'no mail queued (address missing or unverified — see the audit trail)'}; state ${x.state}.`));
  });
}
