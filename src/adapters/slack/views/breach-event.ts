/**
 * `/dpo record <case> [event]`: a breach decision in a modal built from the event's fields (app/breach/breach-fields),
 * submitted to the breach desk. A refusal (a notification after 72 hours without reasons, a bad recipients row)
 * is shown next to the field in the modal and changes nothing.
 */
import type { App } from '@slack/bolt';
import { BREACH_FIELDS, type FieldSpec } from '../../../app/breach/breach-fields.ts';
import { recordBreachEvent } from '../../../app/breach/breach-commands.ts';
import { importRecipients } from '../../../app/breach/report-incident.ts';
import type { Case } from '../../../domain/case.ts';
import { VIEW_BREACH_EVENT } from '../action-ids.ts';
import { plain, section } from '../blocks/case-facts.ts';
import { getRecord, listNotifications, recipientProgress } from '../../db/breach-repository.ts';
import { linkedCustomers } from '../../db/customer-repository.ts';
import { ephemeral } from '../blocks/lists.ts';
import { messageModal } from '../blocks/modals.ts';
import { actorOf, type Responder, type SlackContext } from '../context.ts';
import { permits } from '../roles.ts';
import { fieldError, metaOf, text, viewKey, viewValues, type SubmittedView } from './values.ts';

const option = (v: string) => ({ text: plain(v, 75), value: v });

function element(f: FieldSpec) {
  switch (f.type) {
    case 'select': return { type: 'static_select', options: (f.options ?? []).map(option) };
    case 'longtext': return { type: 'plain_text_input', multiline: true };
    case 'datetime': return { type: 'datetimepicker' };
    default: return { type: 'plain_text_input' };
  }
}

export function breachEventModal(c: Case, event: string, meta: { channel?: string | null }) {
  const def = BREACH_FIELDS[event]!;
  return {
    type: 'modal' as const, callback_id: VIEW_BREACH_EVENT, title: plain(def.label, 24), submit: plain('Record', 24),
    close: plain('Cancel', 24), private_metadata: JSON.stringify({ caseNumber: c.number, event, channel: meta.channel ?? null }),
    blocks: def.fields.map((f) => ({
      type: 'input', block_id: f.name, label: plain(f.label), element: { action_id: f.name, ...element(f) },
      ...(f.required === false ? { optional: true } : {}),
    })),
  };
}

/** Where the register entry stands: decisions, phases, customers, the people's notices (sent/pending/failed). */
export async function breachStatus(ctx: SlackContext, c: Case): Promise<string> {
  const db = ctx.deps.database.db;
  const r = await getRecord(db, c.id);
  const p = await recipientProgress(db, c.id);
  const lines = [
    `*${c.number}* — ${c.role}, state ${c.state.replace(/_/g, ' ')}`,
    `Risk: ${r.assessment ? `${r.assessment.risk} (<@${r.assessment.by}>)` : 'not assessed'}${r.decision ? ` · decision: ${r.decision.kind.replace(/_/g, ' ')}` : ''}`,
    ...(await listNotifications(db, c.id)).map((n) => `• ${n.audience}${n.customer ? ` ${n.customer}` : ''}: ${n.phase} ${n.at.toISOString().slice(0, 16)}Z${n.reference ? ` ref ${n.reference}` : ''}`),
    ...(await linkedCustomers(db, c.id)).filter((l) => !l.alertedAt).map((l) => `• customer ${l.customer.name}: *not alerted yet*`),
    `Art. 34: ${r.subjects ? `${r.subjects.decision}${r.subjects.ground ? ` (ground ${r.subjects.ground})` : ''}` : 'not decided'} · notices: ${p.sent} sent, ${p.pending + p.unsent} pending, ${p.failed} failed`,
  ];
  return lines.join('\n');
}

/** Opens the modal for `event`, or shows where the breach stands and the events when none is named. */
export async function openBreachEvent(ctx: SlackContext, io: Responder, c: Case, event: string | null, meta: { channel?: string | null }): Promise<void> {
  const known = Object.keys(BREACH_FIELDS);
  if (c.kind !== 'breach') return io.reply(ephemeral(`:x: ${c.number} is not a breach case.`));
  if (!event || !BREACH_FIELDS[event]) {
    return io.reply(ephemeral(c.number, [section(await breachStatus(ctx, c)), section(`Record one of: ${known.join(', ')} — e.g. \`record ${c.number} Assessed\`.`)]));
  }
  if (!(await io.openView(breachEventModal(c, event, meta)))) await io.reply(ephemeral('Type the command in a channel to open the form.'));
}

export function register(app: App, ctx: SlackContext): void {
  app.view(VIEW_BREACH_EVENT, async ({ ack, body, view }) => {
    const user = body.user.id;
    const role = await ctx.roles.roleOf(user);
    const sv = view as SubmittedView;
    const meta = metaOf(sv) as { caseNumber?: string; event?: string };
    const def = BREACH_FIELDS[meta.event ?? ''];
    const allowed = permits(role, 'assess', { user });
    if (!allowed.ok || !def) return void (await ack({ response_action: 'update', view: messageModal('Not allowed', `:no_entry: ${allowed.ok ? 'Unknown event.' : allowed.message}`) }));
    const v = viewValues(sv);
    const fields: Record<string, string> = {};
    for (const f of def.fields) {
      const value = text(v[f.name]);
      if (value) fields[f.name] = value;
      else if (f.required !== false) return void (await ack(fieldError(sv, f.name, `${f.label}: required.`)));
    }
    const actor = actorOf(user, role);
    const now = ctx.now();
    if (fields.recipients_csv) {
      const imported = await importRecipients(ctx.deps, meta.caseNumber!, fields.recipients_csv, actor, now);
      if (!imported.ok) return void (await ack(fieldError(sv, 'recipients_csv', imported.message)));
    }
    const r = await recordBreachEvent(ctx.deps, { caseNumber: meta.caseNumber!, event: meta.event!, actor, fields, key: viewKey(sv) }, now);
    if (!r.ok) {
      const field = def.fields.find((f) => r.message.toLowerCase().includes(f.name.replace(/_/g, ' ')) || r.message.includes(f.name))?.name
        ?? (r.code === 'LATE_REASONS_REQUIRED' ? 'late_reasons' : def.fields[0]!.name);
      return void (await ack(fieldError(sv, field, r.message)));
    }
    await ack({ response_action: 'update', view: messageModal('Recorded', `${r.case.number}: ${r.summary} (state ${r.case.state.replace(/_/g, ' ')}).`) });
  });
}
