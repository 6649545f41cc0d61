/**
 * The buttons on a reminder: Acknowledge (stops the escalation steps after it) and Snooze (a modal: until when —
 * only before the next hard milestone — and why; the use case refuses anything else and the modal shows why).
 * Both ack first; the role is checked before anything changes.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { acknowledgeReminders, snoozeReminder } from '../../../app/reminder-actions.ts';
import { ACTION, VIEW } from '../action-ids.ts';
import { messageModal } from '../blocks/modals.ts';
import { actorOf, type SlackContext } from '../context.ts';
import { fieldError, metaOf, viewValues, type SubmittedView } from '../views/values.ts';

/** The reminder ids a button carries, directly or through its outbox row (long lists). */
async function idsOf(ctx: SlackContext, value: string | undefined): Promise<string[]> {
  const parsed = JSON.parse(value || '[]') as string[] | { outbox: string };
  if (Array.isArray(parsed)) return parsed.map(String);
  const row = await ctx.deps.database.db.selectFrom('outbox').select('payload').where('id', '=', parsed.outbox).executeTakeFirst();
  const ids = row ? (JSON.parse(row.payload) as { reminderIds?: string[] }).reminderIds : [];
  return (ids ?? []).map(String);
}

const NO_ROLE = ':no_entry: You have no dpo-desk role: reminders are acknowledged or snoozed by the team.';

const SNOOZE_CHOICES = [['1 hour', 1], ['4 hours', 4], ['tomorrow, same time', 24]] as const;

function snoozeModal(ids: string[]) {
  return {
    type: 'modal' as const, callback_id: VIEW.reminderSnooze, private_metadata: JSON.stringify({ reminderIds: ids }),
    title: { type: 'plain_text' as const, text: 'Snooze reminder' }, submit: { type: 'plain_text' as const, text: 'Snooze' },
    blocks: [
      { type: 'input', block_id: 'for', label: { type: 'plain_text', text: 'Remind me again in' }, element: {
        type: 'static_select', action_id: 'for',
        options: SNOOZE_CHOICES.map(([label, h]) => ({ text: { type: 'plain_text', text: label }, value: String(h) })),
      } },
      { type: 'input', block_id: 'reason', label: { type: 'plain_text', text: 'Why (recorded in the audit log)' },
        element: { type: 'plain_text_input', action_id: 'reason', max_length: 300 } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Only before the deadline. Escalation to the DPO goes on regardless.' }] },
    ],
  };
}

export function register(app: App, ctx: SlackContext): void {
  app.action<BlockAction<ButtonAction>>(ACTION.reminderAck, async ({ ack, body, action, respond }) => {
    await ack();
    const role = await ctx.roles.roleOf(body.user.id);
    if (role === 'viewer') return void respond({ response_type: 'ephemeral', replace_original: false, text: NO_ROLE });
    const r = await acknowledgeReminders(ctx.deps, await idsOf(ctx, action.value), actorOf(body.user.id, role), ctx.now());
    await respond({ response_type: 'ephemeral', replace_original: false, text: r.ok ? `:white_check_mark: Acknowledged; no escalation for ${r.acknowledged === 1 ? 'this reminder' : 'these reminders'}.` : `:x: ${r.message}` });
  });

  app.action<BlockAction<ButtonAction>>(ACTION.reminderSnooze, async ({ ack, body, action, client, respond }) => {
    await ack();
    const role = await ctx.roles.roleOf(body.user.id);
    if (role === 'viewer') return void respond({ response_type: 'ephemeral', replace_original: false, text: NO_ROLE });
    await client.views.open({ trigger_id: body.trigger_id, view: snoozeModal(await idsOf(ctx, action.value)) as never });
  });

  // Refusals (past the deadline, no reason) are shown in the modal, so this runs before the ack.
  app.view(VIEW.reminderSnooze, async ({ ack, body, view }) => {
    const v = view as SubmittedView;
    const role = await ctx.roles.roleOf(body.user.id);
    if (role === 'viewer') return void ack({ response_action: 'update', view: messageModal('Not allowed', ':no_entry: You have no dpo-desk role.') });
    const values = viewValues(v);
    const hours = Number(values.for ?? 0);
    const reason = String(values.reason ?? '');
    const now = ctx.now();
    const until = new Date(now.getTime() + hours * 3_600_000);
    const ids = (metaOf(v) as { reminderIds?: string[] }).reminderIds ?? [];
    for (const id of ids) {
      const r = await snoozeReminder(ctx.deps, { id, until, reason, actor: actorOf(body.user.id, role) }, now);
      if (!r.ok) return void ack(fieldError(v, r.code === 'SNOOZE_REASON_REQUIRED' ? 'reason' : 'for', r.message));
    }
    await ack({ response_action: 'update', view: messageModal('Snoozed', `:zzz: Snoozed until ${until.toISOString().slice(0, 16).replace('T', ' ')} UTC.`) });
  });
}
