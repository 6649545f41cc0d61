/**
 * Events: `app_home_opened` publishes the Home tab; a mention of the app in a case's thread (`@dpo-desk take`),
 * or a message there starting with `!dpo`, runs a command on that case. Slack retries an event it thinks failed:
 * its event id is the command's key, so a retried `note` is stored once.
 */
import type { App } from '@slack/bolt';
import { usage, type Ephemeral } from '../blocks/lists.ts';
import { eventWordsOf } from '../context.ts';
import { parseCommand } from '../commands/parse-command.ts';
import { runCommand } from '../commands/run-command.ts';
import type { Responder, SlackContext } from '../context.ts';
import { findCaseById } from '../../db/case-repository.ts';
import { caseIdOfThread } from '../slack-repository.ts';
import { publishHome } from './home.ts';

interface ThreadMessage {
  user?: string;
  text?: string;
  channel: string;
  ts: string;
  thread_ts?: string;
  bot_id?: string;
}

/** The case whose triage thread a message was typed in, if any. */
async function caseOfThread(ctx: SlackContext, channel: string, threadTs: string | undefined): Promise<string | null> {
  if (!threadTs) return null;
  const id = await caseIdOfThread(ctx.deps.database.db, channel, threadTs);
  return id ? (await findCaseById(ctx.deps.database.db, id))?.number ?? null : null;
}

/** Answers in the thread, visible only to the user (there is no response_url and no trigger_id for events). */
function threadResponder(client: App['client'], m: ThreadMessage): Responder {
  return {
    reply: async (msg: Ephemeral) => {
      await client.chat.postEphemeral({
        channel: m.channel, user: m.user!, text: msg.text, ...(msg.blocks ? { blocks: msg.blocks as never } : {}),
        ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      });
    },
    openView: async () => false,
  };
}

async function commandInThread(ctx: SlackContext, client: App['client'], m: ThreadMessage, text: string, eventId: string) {
  if (!m.user || m.bot_id) return;
  const io = threadResponder(client, m);
  const parsed = parseCommand(text, eventWordsOf(ctx));
  if (!parsed.ok) return io.reply(usage(ctx.slack.command, parsed.problem));
  if (parsed.command.name === 'help') return io.reply(usage(ctx.slack.command, 'Commands work here as after the slash command.'));
  const threadCase = await caseOfThread(ctx, m.channel, m.thread_ts);
  await runCommand(ctx, { user: m.user, channel: m.channel, threadCase, key: `slack:event:${eventId}` }, parsed.command, io);
}

export function register(app: App, ctx: SlackContext): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab === 'home') await publishHome(ctx, client, event.user);
  });

  app.event('app_mention', async ({ event, body, client }) => {
    const text = (event.text ?? '').replace(/<@[UW][A-Z0-9]+(\|[^>]*)?>/, '').trim();
    await commandInThread(ctx, client, event as ThreadMessage, text, (body as { event_id: string }).event_id);
  });

  // `!dpo take` typed in a thread: Slack does not allow slash commands in threads, a mention or this does.
  const prefix = new RegExp(`^!${ctx.slack.command.slice(1)}\\b`, 'i');
  app.message(prefix, async ({ message, body, client }) => {
    const m = message as ThreadMessage;
    if (!m.thread_ts) return;
    await commandInThread(ctx, client, m, (m.text ?? '').replace(prefix, '').trim(), (body as { event_id: string }).event_id);
  });
}
