/**
 * "Report a privacy incident": the modal every member of the workspace may open (global shortcut, or `/dpo breach`
 * without a team role) and its submission. It asks what happened, when it was detected, what data and roughly how
 * many people, and whether it is contained; it opens a breach case once per modal, and the DPO is paged. The
 * reporter is told the case number and state only — and may later list their own reports (`/dpo reports`).
 */
import type { App } from '@slack/bolt';
import { reportIncident, reportsBy } from '../../../app/breach/report-incident.ts';
import { VIEW_REPORT } from '../action-ids.ts';
import { context, plain, section } from '../blocks/case-facts.ts';
import { ephemeral, type Ephemeral } from '../blocks/lists.ts';
import { messageModal } from '../blocks/modals.ts';
import type { Responder, SlackContext } from '../context.ts';
import { authorize } from '../../../domain/workflow/permissions.ts';
import { instant, text, viewKey, viewValues, type SubmittedView } from './values.ts';

const CONTAINED = [
  ['yes', 'Yes, it is contained'],
  ['no', 'No, it is still going on'],
  ['unknown', "I don't know"],
] as const;
const option = (value: string, label: string) => ({ text: plain(label, 75), value });

function input(
  id: string,
  label: string,
  element: Record<string, unknown>,
  extra: { optional?: boolean; hint?: string } = {},
) {
  return {
    type: 'input',
    block_id: id,
    label: plain(label),
    element: { action_id: id, ...element },
    ...(extra.optional ? { optional: true } : {}),
    ...(extra.hint ? { hint: plain(extra.hint) } : {}),
  };
}

export function reportModal(meta: { channel?: string | null }) {
  return {
    type: 'modal' as const,
    callback_id: VIEW_REPORT,
    title: plain('Report an incident', 24),
    submit: plain('Report', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(meta),
    blocks: [
      context(
        'Anything that may have exposed, lost or altered personal data: a lost laptop, a mail to the wrong person, '
          + 'a hacked account. Report it now — the law gives the organisation 72 hours.',
      ),
      input('what', 'What happened?', { type: 'plain_text_input', multiline: true }),
      input('detected_at', 'When was it detected?', { type: 'datetimepicker' }, { optional: true }),
      input(
        'data',
        'What data is concerned?',
        { type: 'plain_text_input' },
        { optional: true, hint: 'e.g. customer names and addresses, payroll, health data' },
      ),
      input(
        'people',
        'Roughly how many people?',
        { type: 'plain_text_input' },
        { optional: true, hint: 'e.g. about 200, unknown' },
      ),
      input('contained', 'Is it contained?', {
        type: 'radio_buttons',
        options: CONTAINED.map(([v, l]) => option(v, l)),
        initial_option: option('unknown', "I don't know"),
      }),
    ],
  };
}

/** Opens the report modal (any role). */
export async function openReportForm(io: Responder, meta: { channel?: string | null }): Promise<void> {
  if (!(await io.openView(reportModal(meta))))
    await io.reply(
      ephemeral('Use the shortcut "Report a privacy incident" or type the command in a channel to open the form.'),
    );
}

/** The user's own reports: number and state, nothing else. */
export async function myReports(ctx: SlackContext, user: string): Promise<Ephemeral> {
  const rs = await reportsBy(ctx.deps.database.db, user);
  if (!rs.length) return ephemeral('You have reported no incidents.');
  return ephemeral(`Your reports: ${rs.length}`, [
    section(`*Your reports*\n${rs.map((r) => `• ${r.number} — ${r.state.replace(/_/g, ' ')}`).join('\n')}`),
  ]);
}

export function register(app: App, ctx: SlackContext): void {
  app.view(VIEW_REPORT, async ({ ack, body, view }) => {
    const user = body.user.id;
    const allowed = authorize(await ctx.roles.roleOf(user), { action: 'report' }, { user });
    if (!allowed.ok)
      return void (await ack({
        response_action: 'update',
        view: messageModal('Not allowed', `:no_entry: ${allowed.message}`),
      }));
    const sv = view as SubmittedView;
    const v = viewValues(sv);
    const now = ctx.now();
    const what = text(v.what);
    const detectedAt = instant(v.detected_at);
    const errors: Record<string, string> = {};
    if (!what) errors.what = 'Say what happened, in a few words.';
    if (detectedAt && detectedAt.getTime() > now.getTime() + 60_000)
      errors.detected_at = 'Detection cannot be in the future.';
    if (Object.keys(errors).length) return void (await ack({ response_action: 'errors', errors }));
    const contained = text(v.contained);
    const opened = await reportIncident(
      ctx.deps,
      {
        reporter: user,
        what: what!,
        detectedAt,
        dataConcerned: (text(v.data) ?? '')
          .split(/[,;]/)
          .map((s) => s.trim())
          .filter(Boolean),
        peopleApprox: text(v.people),
        contained: contained === 'yes' || contained === 'no' ? contained : 'unknown',
        channel: 'slack',
        sourceKey: viewKey(sv),
      },
      now,
    );
    const c = opened.case;
    await ack({
      response_action: 'update',
      view: messageModal(
        'Incident reported',
        `Thank you. Your report is *${c.number}* (state: ${c.state}). The data protection officer has been paged `
          + `and will follow up. \`${ctx.slack.command} reports\` shows your reports.`,
      ),
    });
  });
}
