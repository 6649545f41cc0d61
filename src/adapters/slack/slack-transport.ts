/**
 * The outbox transport of channel `slack`: turns outbox rows into Web API calls. `case-opened` posts the case's
 * parent message in the triage channel; later notices post a line in its thread and bring the parent up to date
 * from the case as it is at send time (coalesced: a parent already showing the latest version is not updated
 * again); a closed case's parent becomes a stub. `dpo-alert` is a DM to each DPO, `reminder` a DM or a channel
 * message with Acknowledge/Snooze. The client never retries by itself: the outbox does, honouring Retry-After.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Transport, SendResult } from '../../app/deliver-outbox.ts';
import type { Config } from '../../config.ts';
import { DeliveryError } from '../../domain/outbox-policy.ts';
import { findCaseById, getPrivate } from '../db/case-repository.ts';
import type { Workflows } from '../workflows/load-workflows.ts';
import { offeredInState } from '../../app/offers.ts';
import type { Case } from '../../domain/case.ts';
import type { Database } from '../db/database.ts';
import type { OutboxRow } from '../db/outbox-repository.ts';
import { factsOf, factsOfPayload } from './blocks/case-facts.ts';
import {
  alertMessage, parentMessage, reminderMessage, threadLine, type ReminderItemPayload, type SlackMessage,
} from './blocks/case-message.ts';
import { findPost, getThread, markThreadShown, savePost, saveThread, type SlackThread } from './slack-repository.ts';

export type SlackConfig = NonNullable<Config['slack']>;
type WebClient = webApi.WebClient;

/** A Web API client for effects: no client-side retries, a 429 surfaces at once with its Retry-After. */
export function createSlackClient(slack: Pick<SlackConfig, 'botToken' | 'apiUrl'>, opts: webApi.WebClientOptions = {}): WebClient {
  return new webApi.WebClient(slack.botToken, {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 15_000, logLevel: webApi.LogLevel.ERROR, ...opts,
  });
}

/** Platform errors worth another try; every other `{ok:false}` (channel_not_found, not_in_channel…) is permanent. */
const RETRYABLE_PLATFORM = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** Maps a Web API failure to the outbox's DeliveryError: 429 → retry after Retry-After; network/5xx → retry. */
export function toDeliveryError(e: unknown): DeliveryError {
  const err = e as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  switch (err.code) {
    case 'slack_webapi_rate_limited_error':
      return new DeliveryError(`rate limited (Retry-After ${err.retryAfter ?? 0} s)`, true, (err.retryAfter ?? 0) * 1000, 'ratelimited');
    case 'slack_webapi_platform_error': {
      const code = err.data?.error ?? 'unknown_error';
      return new DeliveryError(`Slack refused: ${code}`, RETRYABLE_PLATFORM.has(code), null, code);
    }
    case 'slack_webapi_http_error':
      return new DeliveryError(`HTTP ${err.statusCode}`, (err.statusCode ?? 500) >= 500, null, `http_${err.statusCode}`);
    default:
      return new DeliveryError(err.message ?? String(e), true, null, err.code ?? null);
  }
}

export interface SlackTransportDeps {
  database: Database;
  config: Config;
  workflows: Workflows;
  clock: () => Date;
  log: Logger;
}

/** The transport; `deps.config.slack` must be set. */
export function createSlackTransport(client: WebClient, deps: SlackTransportDeps): Transport {
  const slack = deps.config.slack;
  if (!slack) throw new Error('createSlackTransport: Slack is not configured (SLACK_BOT_TOKEN)');
  const t = new SlackSender(client, deps, slack);
  return {
    async send(row) {
      try {
        return await t.send(row);
      } catch (e) {
        throw e instanceof DeliveryError ? e : toDeliveryError(e);
      }
    },
  };
}

class SlackSender {
  constructor(private client: WebClient, private deps: SlackTransportDeps, private slack: SlackConfig) {}

  private get db() { return this.deps.database.db; }
  private get zone() { return this.deps.config.org.timezone; }

  async send(row: OutboxRow): Promise<SendResult> {
    if (row.kind === 'dpo-alert') return this.alertDpos(row);
    if (row.kind === 'reminder') return this.remind(row);
    if (!this.slack.triageChannel) {
      // Nowhere to post: not a delivery failure of this row (start-up warns about the missing channel).
      this.deps.log.warn({ outbox: row.id, kind: row.kind }, 'SLACK_TRIAGE_CHANNEL not set: case notice not posted');
      return { ref: 'skipped:no-triage-channel' };
    }
    if (!row.caseId) return this.postOnce(`${row.id}:triage`, this.slack.triageChannel, { text: `${row.kind}`, blocks: [] });
    const thread = await this.ensureParent(row.caseId, this.slack.triageChannel);
    if (row.kind !== 'case-opened') {
      const line = threadLine(row.kind, row.payload, factsOfPayload(row.payload), this.zone, this.deps.clock());
      await this.postOnce(`${row.id}:thread`, thread.channel, line, thread.ts);
    }
    await this.refreshParent(thread);
    return { ref: `${thread.channel}:${thread.ts}` };
  }

  /** The case's parent message, posted now if it does not exist yet (kept idempotent by `slack_threads`). */
  private async ensureParent(caseId: string, channel: string): Promise<SlackThread> {
    const existing = await getThread(this.db, caseId);
    if (existing) return existing;
    const c = await findCaseById(this.db, caseId);
    if (!c) throw new DeliveryError(`case ${caseId} not found`, false);
    const msg = await this.parentOf(c);
    const res = await this.client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks as never, unfurl_links: false });
    return saveThread(this.db, { caseId, channel: res.channel ?? channel, ts: res.ts!, version: c.version, stub: Boolean(c.closedAt) }, this.deps.clock());
  }

  /** Updates the parent from the case as it is now, unless it already shows this version (debounce by coalescing). */
  private async refreshParent(thread: SlackThread): Promise<void> {
    const c = await findCaseById(this.db, thread.caseId);
    if (!c || (c.version === thread.version && thread.stub === Boolean(c.closedAt))) return;
    const msg = await this.parentOf(c);
    await this.client.chat.update({ channel: thread.channel, ts: thread.ts, text: msg.text, blocks: msg.blocks as never });
    await markThreadShown(this.db, c.id, c.version, Boolean(c.closedAt), this.deps.clock());
  }

  /** The parent as the case is now: its buttons from its definition, and what waits on an unconfirmed address. */
  private async parentOf(c: Case): Promise<SlackMessage> {
    const inState = (where: 'reply' | 'close' | 'button') => offeredInState(this.deps.workflows, c, where);
    const p = c.kind === 'request' && !c.closedAt ? await getPrivate(this.db, c.id) : null;
    const waiting = p && !p.requesterVerified
      ? `The data subject's address is not confirmed${p.requesterEmail ? ' (recovered from a forwarded mail)' : ' (none on file)'}: `
        + `no mail goes to them until someone confirms it (\`/dpo confirm ${c.number}\`).` : null;
    return parentMessage(factsOf(c), this.zone, this.deps.clock(), {
      reply: inState('reply').length > 0, close: inState('close').length > 0, events: inState('button'),
    }, waiting);
  }

  /** Posts a message once per key: a retried row (after a later step failed) does not repeat it. */
  private async postOnce(key: string, channel: string, msg: SlackMessage, threadTs?: string): Promise<SendResult> {
    const done = await findPost(this.db, key);
    if (done) return { ref: `${done.channel}:${done.ts}` };
    const res = await this.client.chat.postMessage({
      channel, text: msg.text, blocks: msg.blocks as never, unfurl_links: false, ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    await savePost(this.db, key, res.channel ?? channel, res.ts!, this.deps.clock());
    return { ref: `${res.channel ?? channel}:${res.ts}` };
  }

  private async dm(key: string, user: string, msg: SlackMessage): Promise<SendResult> {
    if (await findPost(this.db, key)) return { ref: key };
    const open = await this.client.conversations.open({ users: user });
    return this.postOnce(key, open.channel!.id!, msg);
  }

  /** One DM per DPO; with no DPO mapped in Slack, the triage channel (the mail copy goes out anyway). */
  private async alertDpos(row: OutboxRow): Promise<SendResult> {
    const msg = alertMessage(row.payload);
    const dpos = this.slack.roles.dpos;
    if (!dpos.length) {
      if (!this.slack.triageChannel) return { ref: 'skipped:no-dpo-in-slack' };
      return this.postOnce(`${row.id}:triage`, this.slack.triageChannel, msg);
    }
    const refs: string[] = [];
    for (const user of dpos) refs.push((await this.dm(`${row.id}:${user}`, user, msg)).ref ?? '');
    return { ref: refs.join(' ') };
  }

  private async remind(row: OutboxRow): Promise<SendResult> {
    const p = row.payload as { to?: { user?: string; channel?: 'triage' | 'managers' }; items?: ReminderItemPayload[]; reminderIds?: string[] };
    const ids = p.reminderIds ?? (p.items ?? []).map((i) => (i as { id?: string }).id).filter((x): x is string => Boolean(x));
    const msg = reminderMessage(p.items ?? [], ids, row.id);
    if (p.to?.user) return this.dm(`${row.id}:${p.to.user}`, p.to.user, msg);
    const channel = p.to?.channel === 'managers' ? this.slack.managersChannel ?? this.slack.triageChannel : this.slack.triageChannel;
    if (!channel) throw new DeliveryError(`no Slack channel configured for reminders to ${p.to?.channel ?? 'the team'}`, false);
    return this.postOnce(`${row.id}:channel`, channel, msg);
  }
}
