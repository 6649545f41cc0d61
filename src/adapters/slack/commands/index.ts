/**
 * The slash command (SLACK_COMMAND, default /dpo). Help and malformed input are answered in the ack itself;
 * everything else acks empty at once, then runs one use case and answers through the response_url.
 */
import type { App } from '@slack/bolt';
import { ephemeral, helpText, usage } from '../blocks/lists.ts';
import type { SlackContext } from '../context.ts';
import { commandWords } from '../../../app/offers.ts';
import { eventWordsOf } from '../context.ts';
import { parseCommand } from './parse-command.ts';
import { runCommand } from './run-command.ts';

export function register(app: App, ctx: SlackContext): void {
  app.command(ctx.slack.command, async ({ command, ack, respond, client }) => {
    const parsed = parseCommand(command.text ?? '', eventWordsOf(ctx));
    if (!parsed.ok) return void (await ack(usage(command.command, parsed.problem)));
    if (parsed.command.name === 'help') return void (await ack(ephemeral(helpText(command.command, commandWords(ctx.deps.workflows)))));
    await ack();
    await runCommand(ctx, {
      user: command.user_id, channel: command.channel_id ?? null, threadCase: null,
      // A trigger_id is unique per invocation: a command's effect is keyed by it.
      key: `slack:cmd:${command.trigger_id}`,
    }, parsed.command, {
      reply: async (m) => { await respond(m); },
      openView: async (view) => { await client.views.open({ trigger_id: command.trigger_id, view: view as never }); return true; },
    });
  });
}
