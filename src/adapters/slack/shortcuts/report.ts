/** The global shortcut "Report a privacy incident": the report modal, for every member of the workspace. */
import type { App, GlobalShortcut } from '@slack/bolt';
import { SHORTCUT_REPORT } from '../action-ids.ts';
import type { SlackContext } from '../context.ts';
import { reportModal } from '../views/report.ts';

export function register(app: App, _ctx: SlackContext): void {
  app.shortcut<GlobalShortcut>(SHORTCUT_REPORT, async ({ ack, shortcut, client }) => {
    await ack();
    await client.views.open({ trigger_id: shortcut.trigger_id, view: reportModal({}) as never });
  });
}
