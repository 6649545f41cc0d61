/**
 * The message shortcut "Open as DPO case": the new-request modal, prefilled with the message's text and time.
 * The case's source is the message, so the same message never opens two cases.
 */
import type { App, MessageShortcut } from '@slack/bolt';
import { SHORTCUT } from '../action-ids.ts';
import { ephemeral } from '../blocks/lists.ts';
import type { SlackContext } from '../context.ts';
import { authorize } from '../../../domain/workflow/permissions.ts';
import { openCaseForm } from '../views/intake.ts';

export function register(app: App, ctx: SlackContext): void {
  app.shortcut<MessageShortcut>(SHORTCUT.openAsCase, async ({ ack, shortcut, client, respond }) => {
    await ack();
    const user = shortcut.user.id;
    const allowed = authorize(await ctx.roles.roleOf(user), { action: 'open' }, { user });
    if (!allowed.ok) {
      await respond(ephemeral(`:no_entry: ${allowed.message}`));
      return;
    }
    const channel = shortcut.channel.id;
    const io = {
      reply: async (m: ReturnType<typeof ephemeral>) => { await respond(m); },
      openView: async (view: object) => { await client.views.open({ trigger_id: shortcut.trigger_id, view: view as never }); return true; },
    };
    await openCaseForm(ctx, io, 'new', { channel, source: `slack:msg:${channel}:${shortcut.message.ts}` }, {
      notes: shortcut.message.text ?? '', receivedAt: new Date(Number(shortcut.message.ts) * 1000),
    });
  });
}
