/**
 * The journeys bench: the real desk as `dpo-desk start` runs it (src/main.ts startDesk: the IMAP poller, the one
 * outbox deliverer, the scheduler, the Bolt app over HTTP), against a real Dovecot (mail delivered over LMTP), an
 * SMTP sink (what the data subject, the DPO and the managers receive), the fake Slack Web API (channel posts, DMs)
 * and a virtual clock. Tests move the clock and run the sweep or the digest at that instant, as the scheduler would
 * (its daily jobs are set 12 hours from the real time, its sweep runs once at start — waited for — then hourly),
 * so nothing fires on its own during a journey; everything else is waited for as a condition, never slept for.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { expect, vi } from 'vitest';
import { findCaseByNumber, listCases } from '../../src/adapters/db/case-repository.ts';
import { lastBeats } from '../../src/adapters/db/heartbeat-repository.ts';
import { listOutbox, type OutboxRow } from '../../src/adapters/db/outbox-repository.ts';
import { runTask } from '../../src/adapters/scheduler/run-task.ts';
import type { Case } from '../../src/domain/case.ts';
import { startDesk, type Desk, type RunningDesk } from '../../src/main.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { testDesk, virtualClock, type VirtualClock } from '../support/desk.ts';
import { deliverLmtp, dovecotOrSkip, freshUser, listMailbox, type DovecotEndpoint } from '../support/dovecot.ts';
import { FakeSlack, type SlackCall } from '../support/fake-slack.ts';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../support/smtp-sink.ts';
import { slackEnv, type Harness } from '../integration/slack/harness.ts';

export { USERS, TRIAGE, MANAGERS, command, click, submit } from '../integration/slack/harness.ts';

export const dovecot = dovecotOrSkip();
export const DPO_EMAIL = 'dpo@example.com';
export const MANAGERS_EMAIL = 'managers@example.com';
export const FROM = 'privacy@example.com';

export interface Journey extends Harness {
  running: RunningDesk;
  sink: SmtpSink;
  /** The DPO mailbox's IMAP user in Dovecot. */
  mailbox: string;
}

/** Hours from the real now, in the organisation's zone: the scheduler's daily jobs never fire during a test. */
function farFromNow(zone: string): string {
  return DateTime.now().setZone(zone).plus({ hours: 12 }).toFormat('HH:mm');
}

/** Starts the whole desk on a fresh database, a fresh mailbox and fresh Slack and SMTP fakes. */
export async function startJourney(
  tdb: TestDatabase, start: string, env: Record<string, string> = {},
): Promise<Journey> {
  const d: DovecotEndpoint = dovecot!;
  const fake = await new FakeSlack().start();
  fake.usergroups.S0AGENTS = [];
  const sink = await startSmtpSink();
  const { url: dbUrl, drop } = await freshDatabase(tdb);
  const mailbox = freshUser('dpo');
  const clock = virtualClock(start);
  const zone = 'Europe/Berlin';
  const desk: Desk = testDesk(dbUrl, {
    clock,
    env: {
      ...slackEnv(fake), ORG_TIMEZONE: zone, DPO_EMAIL, MAIL_FROM: FROM, MANAGERS_EMAIL,
      IMAP_HOST: d.host, IMAP_PORT: String(d.imapPort), IMAP_SECURE: 'false', IMAP_USER: mailbox,
      IMAP_PASSWORD: d.password,
      SMTP_HOST: sink.host, SMTP_PORT: String(sink.port), MAIL_SIGNING_SECRET: 'journey-signing-secret-0123',
      MAIL_RECEIVING_HOSTS: 'mx.example.com', DIGEST_TIME: farFromNow(zone), PURGE_TIME: farFromNow(zone),
      ...env,
    },
  });
  const running = await startDesk(desk, {
    owner: `journey-${randomUUID().slice(0, 8)}`, sweepEvery: '1h', outboxEveryMs: 100,
    slack: { listen: { port: 0, host: '127.0.0.1' }, clientOptions: { retryConfig: { retries: 0 } } },
  });
  // The scheduler sweeps once as it starts (bree's first run) and the poller logs in: wait for both, so neither
  // acts later at a moment the test did not choose.
  await vi.waitFor(async () => {
    expect(Object.keys(await lastBeats(desk.deps.database.db)).sort()).toEqual(['mail-poll', 'sweep']);
  }, { timeout: 20_000, interval: 50 });
  const slack = running.slack!;
  return {
    desk, fake, slack, clock, running, sink, mailbox, url: `http://127.0.0.1:${slack.port}/slack/events`,
    async close() {
      await running.stop();
      await desk.close();
      await fake.stop();
      await sink.close();
      await drop();
    },
  };
}

/** How long a Slack answer may take on a loaded machine (the listener acks, then works). */
const SLACK_WAIT = { timeout: 15_000, interval: 20 };

/** The first response_url answer of a command or button, once the listener has done its work. */
export async function answer(r: { responses: () => SlackCall[] }): Promise<string> {
  await vi.waitFor(() => expect(r.responses().length).toBeGreaterThan(0), SLACK_WAIT);
  return JSON.stringify(r.responses()[0]!.params);
}

/** The modal opened with `trigger`, as Slack would hand it back on submission. */
export async function openedView(j: Journey, trigger: string): Promise<Record<string, any>> {
  const opened = () => j.fake.of('views.open', (c) => c.params.trigger_id === trigger);
  await vi.waitFor(() => expect(opened()).toHaveLength(1), SLACK_WAIT);
  return { ...opened()[0]!.params.view, id: `V-${trigger}`, hash: 'h1', root_view_id: `V-${trigger}` };
}

/** A mail arrives in the DPO mailbox (LMTP into Dovecot); the running poller picks it up. */
export async function mailIn(j: Journey, raw: string | Uint8Array): Promise<void> {
  await deliverLmtp(dovecot!, j.mailbox, typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw));
}

/** Waits until the poller has taken every message out of INBOX and `n` cases exist; returns them, oldest first. */
export async function casesOpened(j: Journey, n: number): Promise<Case[]> {
  await vi.waitFor(async () => {
    expect(await listMailbox(dovecot!, j.mailbox, 'INBOX')).toEqual([]);
    expect(await listCases(j.desk.deps.database.db)).toHaveLength(n);
  }, { timeout: 20_000, interval: 100 });
  return (await listCases(j.desk.deps.database.db)).sort((a, b) => a.number.localeCompare(b.number));
}

export async function caseNo(j: Journey, number: string): Promise<Case> {
  return (await findCaseByNumber(j.desk.deps.database.db, number))!;
}

/** Waits until every outbox row due now is delivered (sent or failed); returns the outbox. */
export async function settled(j: Journey): Promise<OutboxRow[]> {
  let rows: OutboxRow[] = [];
  await vi.waitFor(async () => {
    rows = await listOutbox(j.desk.deps.database.db);
    const open = rows.filter((r) => r.state === 'pending' || r.state === 'sending');
    expect(open.map((r) => `${r.kind}:${r.channel}:${r.lastError ?? ''}`)).toEqual([]);
  }, { timeout: 15_000, interval: 50 });
  return rows;
}

/** Moves the virtual clock and runs one reminder sweep at that instant (what the scheduler does every 30 s). */
export async function sweepAt(j: Journey, at: string): Promise<void> {
  j.clock.set(at);
  await runTask(j.desk.deps, 'sweep', { stopped: () => false });
  await settled(j);
}

/** Moves the virtual clock and runs the daily digest job at that instant. */
export async function digestAt(j: Journey, at: string): Promise<void> {
  j.clock.set(at);
  await runTask(j.desk.deps, 'digest', { stopped: () => false });
  await settled(j);
}

/** Mail the SMTP sink accepted for `to`, in order. */
export function mailsTo(j: Journey, to: string): SinkMessage[] {
  return j.sink.messages.filter((m) => m.envelope.to.includes(to));
}

export const textOf = (m: SinkMessage): string => m.parsed.text ?? '';

/** Every Slack post (not ephemeral) into `channel`, in order. */
export function postsIn(j: Journey, channel: string): SlackCall[] {
  return j.fake.of('chat.postMessage', (c) => c.params.channel === channel);
}

/** Direct messages to `user` (the fake opens `D<user id without U>`). */
export function dmsTo(j: Journey, user: string): SlackCall[] {
  return postsIn(j, `D${user.replace(/^U/, '')}`);
}

/** The text of a Slack message: its fallback text and every block, as one string. */
export function slackText(c: SlackCall): string {
  return `${c.params.text ?? ''}\n${JSON.stringify(c.params.blocks ?? [])}`;
}

/** No Message-ID was sent twice, no Slack message carried the same outbox key twice. */
export function expectNothingTwice(j: Journey): void {
  const ids = j.sink.messages.map((m) => m.parsed.messageId);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  const keys = j.fake.of('chat.postMessage').map((c) => JSON.stringify(c.params.metadata ?? null))
    .filter((k) => k !== 'null');
  expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
}

/** Privacy: none of `words` (a data subject's name, address, what they wrote) in any Slack post or update. */
export function expectNoPersonalData(j: Journey, words: readonly string[]): void {
  const traffic = j.fake.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update')
    .map((c) => JSON.stringify(c.params)).join('\n').toLowerCase();
  for (const w of words) expect(traffic.includes(w.toLowerCase()), `"${w}" in a Slack message`).toBe(false);
}

/** A mail from a person, received by our mx at `at` (the desk dates receipt by our own server's stamp). */
export function personMail(o: {
  from: string; name: string; subject: string; body: string; at: string; messageId?: string;
  inReplyTo?: string; to?: string;
}): string {
  const date = DateTime.fromISO(o.at, { zone: 'utc' }).toRFC2822();
  return [
    `Received: from mout.example.test (mout.example.test [192.0.2.33])`,
    `\tby mx.example.com (Postfix) with ESMTPS id 4R7${randomUUID().slice(0, 8)}`,
    `\tfor <${o.to ?? DPO_EMAIL}>; ${date}`,
    `From: ${o.name} <${o.from}>`, `To: ${o.to ?? DPO_EMAIL}`, `Subject: ${o.subject}`, `Date: ${date}`,
    `Message-ID: <${o.messageId ?? `${randomUUID()}@mout.example.test`}>`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '',
    o.body, '',
  ].join('\r\n');
}

/** The reply modal as Slack hands it back once `event` is picked (the details block is keyed by the event). */
export const withDetails = (view: Record<string, any>, event: string) => ({
  ...view,
  blocks: view.blocks.map((b: any) => (b.block_id?.startsWith('details:')
    ? { ...b, block_id: `details:${event}` } : b)),
});
