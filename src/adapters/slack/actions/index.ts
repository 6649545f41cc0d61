/**
 * Buttons: Take, Reply, Extend, Escalate to DPO, Close, Show details, and the reply modal's template picker. Each
 * acks first, then checks the role and calls one use case or opens one modal with the fresh trigger_id. A press
 * is keyed by its action_ts; take and escalate are idempotent by the case's state as well (a double click is one).
 */
import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import { findCaseByNumber } from '../../db/case-repository.ts';
import { escalateCase, replyOptions, takeCase } from '../../../app/case-commands.ts';
import type { Case } from '../../../domain/case.ts';
import { ACTION } from '../action-ids.ts';
import { ephemeral, type Ephemeral } from '../blocks/lists.ts';
import { detailsModal } from '../blocks/modals.ts';
import { replyComposeModal, replySkeleton } from '../blocks/reply.ts';
import { caseDetails } from '../case-queries.ts';
import { outcomeText } from '../commands/run-command.ts';
import { actorOf, type Responder, type SlackContext } from '../context.ts';
import { publishHome } from '../events/home.ts';
import { permits, type SlackAction, type SlackRole } from '../roles.ts';
import { openClose, openExtend, openReply } from '../views/open-modals.ts';
import { metaOf, viewValues, type SubmittedView } from '../views/values.ts';

type Args = { body: BlockAction; client: App['client']; respond: (m: Ephemeral) => Promise<unknown> };
type Handler = (ctx: SlackContext, io: Responder, a: { c: Case; user: string; role: SlackRole; key: string; channel: string | null }) => Promise<void>;

/** Where a button's answer goes: the message's response_url, or (App Home) a refreshed Home tab. */
function responder(ctx: SlackContext, { body, client, respond }: Args): Responder {
  return {
    reply: async (m) => {
      if (body.response_url) await respond({ ...m, replace_original: false });
      else if (body.container?.type === 'view' && body.view?.type === 'home') await publishHome(ctx, client, body.user.id);
    },
    openView: async (view) => { await client.views.open({ trigger_id: body.trigger_id, view: view as never }); return true; },
  };
}

/** A case button: ack, load the case named by the button's value, check the role, run `handler`. */
function onCase(app: App, ctx: SlackContext, actionId: string, need: SlackAction, handler: Handler): void {
  app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, respond }) => {
    await ack();
    const io = responder(ctx, { body, client, respond });
    const user = body.user.id;
    const role = await ctx.roles.roleOf(user);
    const c = await findCaseByNumber(ctx.deps.database.db, action.value ?? '');
    if (!c) return io.reply(ephemeral(`:x: No case ${action.value}.`));
    const allowed = permits(role, need, { user, owner: c.owner });
    if (!allowed.ok) return io.reply(ephemeral(`:no_entry: ${allowed.message}`));
    await handler(ctx, io, { c, user, role, key: `slack:action:${action.action_ts}`, channel: body.channel?.id ?? null });
  });
}

type Team = Exclude<SlackRole, 'viewer'>;

export function register(app: App, ctx: SlackContext): void {
  onCase(app, ctx, ACTION.take, 'take', async (_ctx, io, a) => {
    const r = await takeCase(ctx.deps, { caseNumber: a.c.number, actor: actorOf(a.user, a.role), key: a.key }, ctx.now());
    await io.reply(ephemeral(outcomeText(r, (x) => `${x.number} is yours (state ${x.state}).`)));
  });
  onCase(app, ctx, ACTION.escalate, 'escalate', async (_ctx, io, a) => {
    const r = await escalateCase(ctx.deps, { caseNumber: a.c.number, actor: actorOf(a.user, a.role), key: a.key }, ctx.now());
    await io.reply(ephemeral(outcomeText(r, (x) => `${x.number}: the DPO is alerted (DM and e-mail).`)));
  });
  onCase(app, ctx, ACTION.reply, 'reply', (_ctx, io, a) => openReply(ctx, io, a.c, a.role as Team, { caseNumber: a.c.number, channel: a.channel }));
  onCase(app, ctx, ACTION.extend, 'extend', (_ctx, io, a) => openExtend(ctx, io, a.c, { caseNumber: a.c.number, channel: a.channel }));
  onCase(app, ctx, ACTION.close, 'close', (_ctx, io, a) => openClose(ctx, io, a.c, a.role as Team, { caseNumber: a.c.number, channel: a.channel }));
  onCase(app, ctx, ACTION.details, 'details', async (_ctx, io, a) => {
    const d = await caseDetails(ctx.deps, a.c.number);
    if (d) await io.openView(detailsModal(d.case, d.private, d.notes, ctx.deps.config.org.timezone, ctx.now(), d.intake));
  });

  // The template picker in the reply modal: the details skeleton follows the chosen template.
  app.action<BlockAction<StaticSelectAction>>(ACTION.replyTemplate, async ({ ack, body, action, client }) => {
    await ack();
    const view = body.view as (SubmittedView & { hash?: string }) | undefined;
    if (!view) return;
    const meta = metaOf(view);
    const c = await findCaseByNumber(ctx.deps.database.db, meta.caseNumber ?? '');
    const role = await ctx.roles.roleOf(body.user.id);
    if (!c || role === 'viewer') return;
    const option = action.selected_option.value;
    const language = String(viewValues(view).language ?? c.language);
    await client.views.update({
      view_id: view.id, hash: view.hash,
      view: replyComposeModal(c, replyOptions(ctx.deps, c, role), {
        option, language, details: replySkeleton(c, option), zone: ctx.deps.config.org.timezone, now: ctx.now(), meta,
      }) as never,
    });
  });
}
