/**
 * The Slack test bench: the real desk (SQLite or PostgreSQL), the real Bolt app on a loopback port, a fake Slack
 * Web API it talks to, signed requests as Slack sends them, and the outbox delivered through the real Slack
 * transport. Users: U0AGENT/U0AGENT2 (agents), U0GROUPIE (agent through the user group), U0DPO, U0MANAGER, and
 * U0NOBODY (no role).
 */
import { randomUUID } from 'node:crypto';
import { expect, vi } from 'vitest';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { createSlackApp, type SlackApp } from '../../../src/adapters/slack/slack-app.ts';
import { createSlackClient, createSlackTransport } from '../../../src/adapters/slack/slack-transport.ts';
import { drainOutbox, type DeliveryReport } from '../../../src/app/deliver-outbox.ts';
import { openCase } from '../../../src/app/open-case.ts';
import type { Case } from '../../../src/domain/case.ts';
import type { Desk } from '../../../src/main.ts';
import type { TestDatabase } from '../../support/databases.ts';
import { testDesk, virtualClock, type VirtualClock } from '../../support/desk.ts';
import { commandBody, FakeSlack, interactiveBody, postSigned, type SlackCall } from '../../support/fake-slack.ts';

export const SECRET = 'test-signing-secret-0123456789';
export const USERS = { agent: 'U0AGENT', agent2: 'U0AGENT2', groupie: 'U0GROUPIE', dpo: 'U0DPO', manager: 'U0MANAGER', nobody: 'U0NOBODY' } as const;
export const TRIAGE = 'C0TRIAGE';
export const MANAGERS = 'C0MANAGERS';

/** Personal data used in the fixtures: none of it may ever appear in a channel message. */
export const PII = {
  name: 'Ada Lovelace-Example', email: 'ada.private@example.test', address: '12 Analytical Engine Road, Marylebone',
  subject: 'Auskunft über meine Kundenkarte', content: 'copy of everything you hold about my loyalty card',
  note: 'called Ada back on her mobile 0170 5555 1234', breach: 'Laptop with the payroll spreadsheet stolen from a car',
  shortcut: 'Max Mustermann at Hauptstraße 5 asked us to delete his account',
} as const;

export interface Harness {
  desk: Desk;
  fake: FakeSlack;
  slack: SlackApp;
  clock: VirtualClock;
  url: string;
  close(): Promise<void>;
}

export async function startHarness(tdb: TestDatabase, env: Record<string, string> = {}): Promise<Harness> {
  const fake = await new FakeSlack().start();
  fake.usergroups.S0AGENTS = [USERS.groupie];
  const created = await tdb.create();
  await created.database.close();
  const clock = virtualClock('2026-03-05T10:00:00Z');
  const desk = testDesk(created.url, { clock, env: { ...slackEnv(fake), ...env } });
  const slack = createSlackApp(desk.deps, desk.deps.config.slack!, {
    listen: { port: 0, host: '127.0.0.1' }, clientOptions: { retryConfig: { retries: 0 } },
  });
  await slack.start();
  return {
    desk, fake, slack, clock, url: `http://127.0.0.1:${slack.port}/slack/events`,
    async close() { await slack.stop(); await desk.close(); await fake.stop(); await created.drop(); },
  };
}

export function slackEnv(fake: FakeSlack): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl,
    SLACK_TRIAGE_CHANNEL: TRIAGE, SLACK_MANAGERS_CHANNEL: MANAGERS, SLACK_AGENTS: `${USERS.agent},${USERS.agent2}`,
    SLACK_DPOS: USERS.dpo, SLACK_MANAGERS: USERS.manager, SLACK_AGENTS_GROUP: 'S0AGENTS', PORT: '3000',
  };
}

/** A request with personal data, opened through the real use case (as mail intake would). */
export async function seedRequest(h: Harness, o: { owner?: string | null; receivedAt?: string; types?: Case['requestTypes'] } = {}): Promise<Case> {
  const r = await openCase(h.desk.deps, {
    kind: 'request', requestTypes: o.types ?? ['access'], channel: 'mail', receivedAt: new Date(o.receivedAt ?? '2026-03-05T09:00:00Z'),
    requester: { email: PII.email, name: PII.name, verified: true, address: PII.address },
    subject: PII.subject, content: PII.content, owner: o.owner ?? null, actor: { id: 'system', role: 'system' },
  }, h.clock());
  return r.case;
}

export async function seedBreach(h: Harness, awareAt = '2026-03-05T08:00:00Z'): Promise<Case> {
  const r = await openCase(h.desk.deps, {
    kind: 'breach', channel: 'mail', receivedAt: new Date(awareAt), awareAt: new Date(awareAt), content: PII.breach,
    actor: { id: 'system', role: 'system' },
  }, h.clock());
  return r.case;
}

/** Sends a signed slash command; `responses()` are what the app then posted to its response_url. */
export async function command(h: Harness, user: string, text: string, o: { channel?: string; command?: string } = {}) {
  const id = randomUUID();
  const res = await postSigned(h.url, commandBody({
    command: o.command ?? '/dpo', text, user, channel: o.channel, responseUrl: h.fake.responseUrl(id), triggerId: `trigger-${id}`,
  }), { secret: SECRET });
  const responses = () => h.fake.of('response_url', (c) => String(c.params.url).endsWith(id));
  return { ...res, ack: res.body ? JSON.parse(res.body) : null, responses, trigger: `trigger-${id}` };
}

/** The first response_url answer of a command or button (waits for the listener's work after its ack). */
export async function answer(r: { responses: () => SlackCall[] }): Promise<string> {
  await vi.waitFor(() => expect(r.responses().length).toBeGreaterThan(0));
  return JSON.stringify(r.responses()[0]!.params);
}

/** Presses a button on a channel message (or, with `view`, on a modal / the Home tab). */
export async function click(h: Harness, user: string, actionId: string, value: string, o: { view?: Record<string, any>; actionTs?: string; selected?: string } = {}) {
  const id = randomUUID();
  const action = o.selected
    ? { type: 'static_select', action_id: actionId, block_id: 'template', selected_option: { value: o.selected }, action_ts: o.actionTs ?? `${Date.now() / 1000}` }
    : { type: 'button', action_id: actionId, block_id: 'case', value, action_ts: o.actionTs ?? `${Date.now() / 1000}.${id.slice(0, 6)}` };
  const where = o.view
    ? { container: { type: 'view', view_id: o.view.id }, view: o.view }
    : { container: { type: 'message', message_ts: '1700000000.000001', channel_id: TRIAGE }, channel: { id: TRIAGE, name: 'dpo-triage' },
      message: { ts: '1700000000.000001', text: 'case' }, response_url: h.fake.responseUrl(id) };
  const payload = { type: 'block_actions', team: { id: 'T0001' }, user: { id: user, team_id: 'T0001' }, api_app_id: 'A0FAKE', token: 't', trigger_id: `trigger-${id}`, actions: [action], ...where };
  const res = await postSigned(h.url, interactiveBody(payload), { secret: SECRET });
  return { ...res, trigger: `trigger-${id}`, responses: () => h.fake.of('response_url', (c) => String(c.params.url).endsWith(id)) };
}

/** The modal opened with `trigger` (views.open recorded by the fake), as Slack would hand it back. */
export async function openedView(h: Harness, trigger: string): Promise<Record<string, any>> {
  await vi.waitFor(() => expect(h.fake.of('views.open', (c) => c.params.trigger_id === trigger)).toHaveLength(1));
  const call = h.fake.of('views.open', (c) => c.params.trigger_id === trigger)[0]!;
  return { ...call.params.view, id: `V-${trigger}`, hash: 'h1', root_view_id: `V-${trigger}` };
}

/** The state Slack sends for a modal: given values by action id, the initial values elsewhere. */
export function viewState(view: Record<string, any>, values: Record<string, unknown>) {
  const state: Record<string, Record<string, unknown>> = {};
  for (const b of view.blocks as any[]) {
    if (b.type !== 'input') continue;
    const e = b.element;
    const v = e.action_id in values ? values[e.action_id] : undefined;
    state[b.block_id] = { [e.action_id]: encode(e, v) };
  }
  return { values: state };
}

function encode(e: any, v: unknown) {
  switch (e.type) {
    case 'static_select': case 'radio_buttons':
      return { type: e.type, selected_option: v !== undefined ? { value: v } : e.initial_option ?? null };
    case 'multi_static_select':
      return { type: e.type, selected_options: v !== undefined ? (v as string[]).map((value) => ({ value })) : e.initial_options ?? [] };
    case 'file_input':
      return { type: e.type, files: v ?? [] };
    case 'datetimepicker':
      return { type: e.type, selected_date_time: v !== undefined ? Math.floor(new Date(v as string).getTime() / 1000) : e.initial_date_time ?? null };
    default:
      return { type: e.type, value: v !== undefined ? String(v) : e.initial_value ?? null };
  }
}

/** Submits a modal; returns the HTTP status and the parsed ack body (`response_action`…). */
export async function submit(h: Harness, user: string, view: Record<string, any>, values: Record<string, unknown>) {
  const payload = {
    type: 'view_submission', team: { id: 'T0001' }, user: { id: user, team_id: 'T0001' }, api_app_id: 'A0FAKE', token: 't',
    trigger_id: `trigger-${randomUUID()}`, view: { ...view, state: viewState(view, values) }, response_urls: [],
  };
  const res = await postSigned(h.url, interactiveBody(payload), { secret: SECRET });
  return { status: res.status, ack: res.body ? JSON.parse(res.body) : {} };
}

/** Delivers the outbox through the real Slack transport (mail through the desk's own transport). */
export async function deliver(h: Harness): Promise<DeliveryReport> {
  const slack = createSlackTransport(createSlackClient(h.desk.deps.config.slack!), h.desk.deps);
  return drainOutbox(h.desk.deps, { ...h.desk.transports, slack }, { owner: 'test' });
}

export async function mailsTo(h: Harness, caseId: string) {
  return (await listOutbox(h.desk.deps.database.db, { caseId })).filter((r) => r.channel === 'mail');
}

/** Every message the app posted or updated anywhere in Slack, as text, for the privacy scan. */
export function channelTraffic(fake: FakeSlack): string[] {
  return fake.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update').map((c) => JSON.stringify(c.params));
}

/** The privacy scan: no requester name, address, subject or message text in any channel message. */
export function expectNoPersonalData(fake: FakeSlack): void {
  const traffic = channelTraffic(fake).join('\n').toLowerCase();
  for (const [what, value] of Object.entries(PII)) {
    for (const part of [value, ...value.split(/[ ,]+/).filter((w) => w.length > 7)]) {
      expect(traffic.includes(part.toLowerCase()), `${what} ("${part}") leaked into a channel message`).toBe(false);
    }
  }
}

/** An Events API delivery (signed JSON); `retryNum` as Slack sets it when it retries. */
export async function sendEvent(h: Harness, event: Record<string, unknown>, o: { eventId?: string; retryNum?: number } = {}) {
  const body = JSON.stringify({
    token: 't', team_id: 'T0001', api_app_id: 'A0FAKE', type: 'event_callback', event_id: o.eventId ?? `Ev${randomUUID().slice(0, 8)}`,
    event_time: Math.floor(Date.now() / 1000), event,
  });
  return postSigned(h.url, body, {
    secret: SECRET, contentType: 'application/json',
    headers: o.retryNum ? { 'x-slack-retry-num': String(o.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {},
  });
}

/** The triage thread of a case once delivered: its parent ts. */
export async function threadTs(h: Harness, caseId: string): Promise<string> {
  const row = await h.desk.deps.database.db.selectFrom('slack_threads').select('ts').where('case_id', '=', caseId).executeTakeFirstOrThrow();
  return row.ts;
}
