/**
 * Socket Mode (SLACK_APP_TOKEN set): the real Bolt app connects to a local stand-in of Slack's WebSocket
 * protocol — apps.connections.open, hello, envelopes, acks, pings, a server-requested reconnect.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findCaseByNumber } from '../../../src/adapters/db/case-repository.ts';
import { createSlackApp, type SlackApp } from '../../../src/adapters/slack/slack-app.ts';
import type { Desk } from '../../../src/main.ts';
import { testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';
import { FakeSlack } from '../../support/fake-slack.ts';
import { seedRequest, slackEnv, USERS, type Harness } from './harness.ts';

describe('Socket Mode', () => {
  let fake: FakeSlack;
  let desk: Desk;
  let slack: SlackApp;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-05T10:00:00Z');

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    const created = await testDatabases()[0]!.create();
    await created.database.close();
    drop = created.drop;
    desk = testDesk(created.url, { clock, env: { ...slackEnv(fake), SLACK_APP_TOKEN: 'xapp-1-A0FAKE-test' } });
    slack = createSlackApp(desk.deps, desk.deps.config.slack!, { listen: { port: 0 }, clientPingTimeout: 300, clientOptions: { retryConfig: { retries: 0 } } });
    await slack.start();
  });
  afterAll(async () => {
    await slack?.stop();
    await vi.waitFor(() => expect(fake.sockets.size).toBe(0));
    await desk?.close();
    await fake?.stop();
    await drop?.();
  });

  const commandPayload = (text: string, responseUrl = fake.responseUrl()) => ({
    token: 't', team_id: 'T0001', channel_id: 'C0TRIAGE', user_id: USERS.agent, command: '/dpo', text,
    response_url: responseUrl, trigger_id: `trigger-${text}`, api_app_id: 'A0FAKE',
  });

  it('connects with the app-level token and answers a slash command envelope with its ack', async () => {
    expect(slack.mode).toBe('socket');
    expect(fake.of('apps.connections.open')[0]!.token).toBe('xapp-1-A0FAKE-test');
    expect(fake.sockets.size).toBe(1);
    expect(slack.connected()).toBe(true); // what /ready's slack check reads
    const ack = await fake.sendEnvelope('slash_commands', commandPayload('help'));
    expect(ack).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/dpo take <case>') });
    const bad = await fake.sendEnvelope('slash_commands', commandPayload('list nothing'));
    expect(bad).toMatchObject({ text: expect.stringContaining('`list` takes one of mine, open, overdue, due-this-week') });
  });

  it('runs commands, buttons and events received over the socket', async () => {
    const c = await seedRequest({ desk, fake, clock } as Harness);
    const url = fake.responseUrl('socket-list');
    expect(await fake.sendEnvelope('slash_commands', commandPayload('list', url))).toEqual({});
    await vi.waitFor(() => expect(fake.of('response_url', (r) => String(r.params.url).endsWith('socket-list'))).toHaveLength(1));
    expect(JSON.stringify(fake.of('response_url').at(-1)!.params)).toContain(c.number);

    expect(await fake.sendEnvelope('interactive', {
      type: 'block_actions', user: { id: USERS.agent }, team: { id: 'T0001' }, trigger_id: 'trigger-take', response_url: fake.responseUrl(),
      container: { type: 'message', message_ts: '1.1', channel_id: 'C0TRIAGE' }, channel: { id: 'C0TRIAGE' },
      actions: [{ type: 'button', action_id: 'case_take', block_id: 'case', value: c.number, action_ts: '1772700000.1' }],
    })).toEqual({});
    await vi.waitFor(async () => expect((await findCaseByNumber(desk.deps.database.db, c.number))!.owner).toBe(USERS.agent));

    await fake.sendEnvelope('events_api', {
      type: 'event_callback', team_id: 'T0001', event_id: 'EvHOME', event: { type: 'app_home_opened', user: USERS.dpo, tab: 'home', channel: 'D1' },
    }, { retry_attempt: 0, retry_reason: '' });
    await vi.waitFor(() => expect(fake.of('views.publish', (p) => p.params.user_id === USERS.dpo)).toHaveLength(1));
  });

  it('answers pings (the client checks the connection) and serves /health on its own port', async () => {
    const pings = fake.pings;
    await vi.waitFor(() => expect(fake.pings).toBeGreaterThan(pings + 2));
    expect(fake.sockets.size).toBe(1); // the pongs kept the connection up
    const res = await fetch(`http://127.0.0.1:${slack.port}/health`);
    expect(await res.json()).toEqual({ ok: true, mode: 'socket', database: 'up' });
    expect((await fetch(`http://127.0.0.1:${slack.port}/metrics`)).status).toBe(200); // Socket Mode: still on PORT
  });

  it('reconnects when Slack asks it to (refresh_requested) and keeps working', async () => {
    const before = fake.of('apps.connections.open').length;
    fake.disconnectAll('refresh_requested');
    await vi.waitFor(() => expect(fake.of('apps.connections.open').length).toBe(before + 1), { timeout: 5000 });
    await vi.waitFor(() => expect(fake.sockets.size).toBe(1));
    expect(await fake.sendEnvelope('slash_commands', commandPayload('help'))).toMatchObject({ response_type: 'ephemeral' });
  });
});
