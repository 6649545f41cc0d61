/**
 * The outbox transport of channel `slack`: turns outbox rows into Web API calls. `case-opened` posts the case's
 * parent message in the triage channel; later notices post a line in its thread and bring the parent up to date
 * from the case as it is at send time (coalesced: a parent already showing the latest version is not updated
 * again); a closed case's parent becomes a stub. `dpo-alert` is a DM to each DPO, `reminder` a DM or a channel
 * message with Acknowledge/Snooze, `digest` the managers' daily digest in their channel. The client never retries
 * by itself: the outbox does, honouring Retry-After.
 * Every post carries its key in message metadata (`dpo_desk_outbox`); when a row comes back after an attempt that
 * may have posted (a crash or a lost response before the post was recorded), the channel or thread is looked up
 * by that key before posting again.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { CaseNoticePayload, DpoAlertPayload, SendResult, Transport } from '../../app/ports.ts';
import type { Digest } from '../../app/digest.ts';
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
  addressWaiting, alertMessage, parentMessage, reminderMessage, threadLine, type ReminderItemPayload, type SlackMessage,
} from './blocks/case-message.ts';
import { digestMessage } from './blocks/digest.ts';
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

/** The metadata event type of every message the desk posts; its payload's `key` names the post (no personal data). */
export const POST_METADATA_TYPE = 'dpo_desk_outbox';
/** How far back a re-delivery looks for its earlier post: the newest messages of the channel or thread. */
const LOOKUP_PAGES = 3;
/** History look-ups the app is not allowed to make: the check is skipped, not the delivery failed. */
const UNCHECKABLE = new Set(['missing_scope', 'not_in_channel', 'channel_not_found', 'not_allowed_token_type']);

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
    if (row.kind === 'digest') return this.digest(row);
    if (row.kind === 'monthly-report' || row.kind === 'requests-export') return this.upload(row); // issue 12
    if (!this.slack.triageChannel) {
      // Nowhere to post: not a delivery failure of this row (start-up warns about the missing channel).
      this.deps.log.warn({ outbox: row.id, kind: row.kind }, 'SLACK_TRIAGE_CHANNEL not set: case notice not posted');
      return { ref: 'skipped:no-triage-channel' };
    }
    if (!row.caseId) {
      return this.postOnce(row, `${row.id}:triage`, this.slack.triageChannel, { text: `${row.kind}`, blocks: [] });
    }
    const thread = await this.ensureParent(row, row.caseId, this.slack.triageChannel);
    if (row.kind !== 'case-opened') {
      const notice = row.payload as CaseNoticePayload;
      const line = threadLine(row.kind, notice, factsOfPayload(notice), this.zone, this.deps.clock());
      await this.postOnce(row, `${row.id}:thread`, thread.channel, line, thread.ts);
    }
    await this.refreshParent(thread);
    return { ref: `${thread.channel}:${thread.ts}` };
  }

  /** The case's parent message, posted now if it does not exist yet (kept idempotent by `slack_threads`). */
  private async ensureParent(row: OutboxRow, caseId: string, channel: string): Promise<SlackThread> {
    const existing = await getThread(this.db, caseId);
    if (existing) return existing;
    const c = await findCaseById(this.db, caseId);
    if (!c) throw new DeliveryError(`case ${caseId} not found`, false);
    const key = `parent:${caseId}`;
    const earlier = mayHaveGoneOut(row) ? await this.findPostedOrNull(key, channel) : null;
    // An earlier post found: recorded at the case's version then, so the refresh that follows brings it up to date.
    const version = earlier ? c.version - 1 : c.version;
    const msg = await this.parentOf(c);
    const ts = earlier ?? (await this.client.chat.postMessage({
      channel, text: msg.text, blocks: msg.blocks as never, unfurl_links: false, metadata: postMetadata(key),
    })).ts!;
    const stub = Boolean(c.closedAt) && !earlier;
    return saveThread(this.db, { caseId, channel, ts, version, stub }, this.deps.clock());
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
    const waiting = addressWaiting(c, p);
    return parentMessage(factsOf(c), this.zone, this.deps.clock(), {
      reply: inState('reply').length > 0, close: inState('close').length > 0, events: inState('button'),
      confirm: Boolean(waiting),
    }, waiting);
  }

  /** Posts a message once per key: a retried row (after a later step failed) does not repeat it. */
  private async postOnce(
    row: OutboxRow, key: string, channel: string, msg: SlackMessage, threadTs?: string,
  ): Promise<SendResult> {
    const done = await findPost(this.db, key);
    if (done) return { ref: `${done.channel}:${done.ts}` };
    const earlier = mayHaveGoneOut(row) ? await this.findPostedOrNull(key, channel, threadTs) : null;
    if (earlier) {
      this.deps.log.info({ outbox: row.id }, 'Slack post of an earlier attempt found; not posted again');
    }
    const ts = earlier ?? (await this.client.chat.postMessage({
      channel, text: msg.text, blocks: msg.blocks as never, unfurl_links: false, metadata: postMetadata(key),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    })).ts!;
    await savePost(this.db, key, channel, ts, this.deps.clock());
    return { ref: `${channel}:${ts}` };
  }

  /**
   * As findPosted; when the app may not read the history (an install without the *:history scopes), the check is
   * skipped with a warning and the message is posted (the behaviour before the check existed).
   */
  private async findPostedOrNull(key: string, channel: string, threadTs?: string): Promise<string | null> {
    try {
      return await this.findPosted(key, channel, threadTs);
    } catch (e) {
      const code = (e as { data?: { error?: string } }).data?.error;
      if (!code || !UNCHECKABLE.has(code)) throw e;
      this.deps.log.warn({ err: code },
        'cannot read Slack history to check an earlier attempt (reinstall the app with the manifest\'s scopes); posting');
      return null;
    }
  }

  /** The ts of a message this desk posted under `key` among the newest of the channel (or thread), or null. */
  private async findPosted(key: string, channel: string, threadTs?: string): Promise<string | null> {
    let cursor: string | undefined;
    for (let page = 0; page < LOOKUP_PAGES; page++) {
      const args = { channel, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) };
      const res = threadTs
        ? await this.client.conversations.replies({ ...args, ts: threadTs })
        : await this.client.conversations.history(args);
      const hit = (res.messages ?? []).find((m) => {
        const meta = (m as { metadata?: { event_type?: string; event_payload?: { key?: unknown } } }).metadata;
        return meta?.event_type === POST_METADATA_TYPE && meta.event_payload?.key === key;
      });
      if (hit?.ts) return hit.ts;
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return null;
    }
    return null;
  }

  private async dm(row: OutboxRow, key: string, user: string, msg: SlackMessage): Promise<SendResult> {
    if (await findPost(this.db, key)) return { ref: key };
    const open = await this.client.conversations.open({ users: user });
    return this.postOnce(row, key, open.channel!.id!, msg);
  }

  /** One DM per DPO; with no DPO mapped in Slack, the triage channel (the mail copy goes out anyway). */
  private async alertDpos(row: OutboxRow): Promise<SendResult> {
    const msg = alertMessage(row.payload as unknown as DpoAlertPayload);
    const dpos = this.slack.roles.dpos;
    if (!dpos.length) {
      if (!this.slack.triageChannel) return { ref: 'skipped:no-dpo-in-slack' };
      return this.postOnce(row, `${row.id}:triage`, this.slack.triageChannel, msg);
    }
    const refs: string[] = [];
    for (const user of dpos) refs.push((await this.dm(row, `${row.id}:${user}`, user, msg)).ref ?? '');
    return { ref: refs.join(' ') };
  }

  /** The daily digest, to the managers' channel only (never the triage channel: it is the managers' view). */
  private async digest(row: OutboxRow): Promise<SendResult> {
    if (!this.slack.managersChannel) {
      this.deps.log.warn({ outbox: row.id }, 'SLACK_MANAGERS_CHANNEL not set: the digest is not posted in Slack');
      return { ref: 'skipped:no-managers-channel' };
    }
    return this.postOnce(row, `${row.id}:managers`, this.slack.managersChannel, digestMessage(row.payload.digest as Digest));
  }

  /** A file (the report's chart, the request log) with a comment: files.uploadV2, once per row. */
  private async upload(row: OutboxRow): Promise<SendResult> {
    const key = `${row.id}:upload`;
    const done = await findPost(this.db, key);
    if (done) return { ref: `${done.channel}:${done.ts}` };
    const p = row.payload as {
      to?: { user?: string; channel?: 'managers' }; text?: string;
      file: { filename: string; contentBase64: string; title: string };
    };
    const channel = p.to?.user
      ? (await this.client.conversations.open({ users: p.to.user })).channel!.id!
      : this.slack.managersChannel ?? this.slack.triageChannel;
    if (!channel) throw new DeliveryError('no Slack channel for the managers (SLACK_MANAGERS_CHANNEL)', false);
    const res = await this.client.filesUploadV2({
      channel_id: channel, initial_comment: p.text ?? '', filename: p.file.filename, title: p.file.title,
      file: Buffer.from(p.file.contentBase64, 'base64'),
    });
    const fileId = (res.files as { files?: { id?: string }[] }[] | undefined)?.[0]?.files?.[0]?.id ?? 'file';
    await savePost(this.db, key, channel, fileId, this.deps.clock());
    return { ref: `${channel}:${fileId}` };
  }

  private async remind(row: OutboxRow): Promise<SendResult> {
    const p = row.payload as { to?: { user?: string; channel?: 'triage' | 'managers' }; items?: ReminderItemPayload[]; reminderIds?: string[] };
    const ids = p.reminderIds ?? (p.items ?? []).map((i) => (i as { id?: string }).id).filter((x): x is string => Boolean(x));
    const msg = reminderMessage(p.items ?? [], ids, row.id);
    if (p.to?.user) return this.dm(row, `${row.id}:${p.to.user}`, p.to.user, msg);
    const channel = p.to?.channel === 'managers' ? this.slack.managersChannel ?? this.slack.triageChannel : this.slack.triageChannel;
    if (!channel) throw new DeliveryError(`no Slack channel configured for reminders to ${p.to?.channel ?? 'the team'}`, false);
    return this.postOnce(row, `${row.id}:channel`, channel, msg);
  }
}

/** The row was claimed before: an earlier attempt may have posted before it could be recorded. */
function mayHaveGoneOut(row: OutboxRow): boolean {
  return row.attempts > 1;
}

function postMetadata(key: string) {
  return { event_type: POST_METADATA_TYPE, event_payload: { key } };
}
