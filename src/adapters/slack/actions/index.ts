/**
 * Buttons: Take, Reply, Escalate to DPO, Close, Show details, a workflow event's button (from its definition), and
 * the reply modal's picker. Each acks first, then calls one use case or opens one form with the fresh trigger_id;
 * the use case (or the form's opening) checks permission. A press is keyed by its action_ts; take and escalate
 * are idempotent by the case's state as well (a double click is one).
 */
import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import { escalateCase, takeCase } from '../../../app/case-actions.ts';
import { caseFor, offers } from '../../../app/offers.ts';
import { confirmRequester } from '../../../app/confirm-requester.ts';
import { ACTION } from '../action-ids.ts';
import { ephemeral, type Ephemeral } from '../blocks/lists.ts';
import { detailsModal } from '../blocks/modals.ts';
import { replyComposeModal, replySkeleton } from '../blocks/reply.ts';
import { caseDetails } from '../case-queries.ts';
import { outcomeText } from '../commands/run-command.ts';
import { actorOf, type Responder, type SlackContext } from '../context.ts';
import { publishHome } from '../events/home.ts';
import { openClose, openEvent, openReply } from '../views/open-modals.ts';
import { metaOf, viewValues, type SubmittedView } from '../views/values.ts';
import type { Actor } from '../../../app/deps.ts';

type Args = { body: BlockAction; client: App['client']; respond: (m: Ephemeral) => Promise<unknown> };
type Press = { value: string; actor: Actor; key: string; channel: string | null };

/** Where a button's answer goes: the message's response_url, or (App Home) a refreshed Home tab. */
function responder(ctx: SlackContext, { body, client, respond }: Args): Responder {
  return {
    reply: async (m) => {
      if (body.response_url) await respond({ ...m, replace_original: false });
      else if (body.container?.type === 'view' && body.view?.type === 'home') {
        await publishHome(ctx, client, body.user.id);
      }
    },
    openView: async (view) => {
      await client.views.open({ trigger_id: body.trigger_id, view: view as never });
      return true;
    },
  };
}

/** A case button: ack, then `handler` with the button's value and the actor. */
function onPress(
  app: App, ctx: SlackContext, actionId: string, handler: (io: Responder, p: Press) => Promise<void>,
): void {
  app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, respond }) => {
    await ack();
    const io = responder(ctx, { body, client, respond });
    const actor = actorOf(body.user.id, await ctx.roles.roleOf(body.user.id));
    await handler(io, {
      value: action.value ?? '', actor, key: `slack:action:${action.action_ts}`, channel: body.channel?.id ?? null,
    });
  });
}

export function register(app: App, ctx: SlackContext): void {
  onPress(app, ctx, ACTION.take, async (io, p) => {
    const r = await takeCase(ctx.deps, { caseNumber: p.value, actor: p.actor, key: p.key }, ctx.now());
    await io.reply(ephemeral(outcomeText(r, (x) => `${x.number} is yours (state ${x.state}).`)));
  });
  onPress(app, ctx, ACTION.escalate, async (io, p) => {
    const r = await escalateCase(ctx.deps, { caseNumber: p.value, actor: p.actor, key: p.key }, ctx.now());
    await io.reply(ephemeral(outcomeText(r, (x) => `${x.number}: the DPO is alerted (DM and e-mail).`)));
  });
  onPress(app, ctx, ACTION.confirm, async (io, p) => {
    const r = await confirmRequester(ctx.deps, {
      caseNumber: p.value, actor: p.actor, key: p.key, address: null, how: 'slack',
    }, ctx.now());
    await io.reply(ephemeral(outcomeText(r, (x) => `${x.number}: the data subject's address is confirmed`
      + `${r.ok && r.mails ? `; ${r.mails} mail(s) that waited on it go now` : ''}.`)));
  });
  onPress(app, ctx, ACTION.reply, (io, p) => openReply(ctx, io, p.actor, { caseNumber: p.value, channel: p.channel }));
  onPress(app, ctx, ACTION.close, (io, p) => openClose(ctx, io, p.actor, { caseNumber: p.value, channel: p.channel }));
  onPress(app, ctx, ACTION.event, (io, p) => {
    const [caseNumber = '', event = ''] = p.value.split('|');
    return openEvent(ctx, io, p.actor, { caseNumber, channel: p.channel }, event);
  });
  onPress(app, ctx, ACTION.details, async (io, p) => {
    const allowed = await caseFor(ctx.deps, p.value, p.actor, () => ({ action: 'details' }));
    if (!allowed.ok) {
      return io.reply(ephemeral(`${allowed.code === 'NOT_ALLOWED' ? ':no_entry:' : ':x:'} ${allowed.message}`));
    }
    const d = await caseDetails(ctx.deps, p.value);
    if (d) {
      await io.openView(detailsModal(d.case, d.private, d.notes, ctx.deps.config.org.timezone, ctx.now(), d.intake));
    }
  });

  // The reply picker: the details skeleton follows the chosen reply.
  app.action<BlockAction<StaticSelectAction>>(ACTION.replyTemplate, async ({ ack, body, action, client }) => {
    await ack();
    const view = body.view as (SubmittedView & { hash?: string }) | undefined;
    if (!view) return;
    const meta = metaOf(view);
    const actor = actorOf(body.user.id, await ctx.roles.roleOf(body.user.id));
    const loaded = await caseFor(ctx.deps, meta.caseNumber ?? '', actor, () => ({ action: 'reply' }));
    if (!loaded.ok) return;
    const options = offers(ctx.deps.workflows, loaded.case, { role: actor.role, user: actor.id }, 'reply');
    const chosen = options.find((o) => o.event === action.selected_option.value);
    if (!chosen) return;
    const language = String(viewValues(view).language ?? loaded.case.language);
    await client.views.update({
      view_id: view.id, hash: view.hash,
      view: replyComposeModal(loaded.case, options, {
        option: chosen.event, language, details: replySkeleton(loaded.case, chosen.transition),
        zone: ctx.deps.config.org.timezone,
        now: ctx.now(), meta,
      }) as never,
    });
  });
}
