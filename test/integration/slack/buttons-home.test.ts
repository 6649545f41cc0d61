/**
 * The buttons of a triage message (Take, Reply, Extend, Escalate to DPO, Close), the message shortcut "Open as
 * DPO case", and App Home.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findCaseByNumber, findCaseBySource, listCases } from '../../../src/adapters/db/case-repository.ts';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { testDatabases } from '../../support/databases.ts';
import { interactiveBody, postSigned } from '../../support/fake-slack.ts';
import {
  answer, click, deliver, expectNoPersonalData, openedView, PII, SECRET, seedBreach, seedRequest, sendEvent, startHarness, submit,
  USERS, type Harness,
} from './harness.ts';

describe('Slack buttons, shortcut and App Home', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(testDatabases()[0]!); });
  afterAll(async () => { expectNoPersonalData(h.fake); await h?.close(); });
  const db = () => h.desk.deps.database.db;

  it('Take: the case is the presser\'s; a double click is one assignment', async () => {
    const c = await seedRequest(h);
    const [a, b] = await Promise.all([click(h, USERS.agent, 'case_take', c.number), click(h, USERS.agent, 'case_take', c.number)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await answer(a);
    await answer(b);
    expect(await findCaseByNumber(db(), c.number)).toMatchObject({ owner: USERS.agent, state: 'in_progress' });
    const assigned = await db().selectFrom('audit_events').select('type').where('case_id', '=', c.id).where('type', '=', 'OwnerAssigned').execute();
    expect(assigned).toHaveLength(1);
  });

  it('Reply, Extend and Close open their modals with the fresh trigger_id', async () => {
    const c = await seedRequest(h, { owner: USERS.dpo });
    const buttons = [['case_reply', c.number, 'reply_compose'], ['case_event', `${c.number}|ExtensionRequested`, 'case_event'],
      ['case_close', c.number, 'close_case']] as const;
    for (const [action, value, callback] of buttons) {
      const r = await click(h, USERS.dpo, action, value);
      expect((await openedView(h, r.trigger)).callback_id).toBe(callback);
    }
  });

  it('Escalate to DPO: one DM per DPO and a mail, once however often it is pressed before the case changes', async () => {
    const c = await seedRequest(h);
    await Promise.all([click(h, USERS.agent, 'case_escalate', c.number), click(h, USERS.agent, 'case_escalate', c.number)]);
    await vi.waitFor(async () => expect((await listOutbox(db(), { caseId: c.id })).filter((r) => r.kind === 'dpo-alert')).toHaveLength(2));
    await deliver(h);
    const dms = h.fake.of('chat.postMessage', (m) => m.params.channel === `D${USERS.dpo.slice(1)}` && JSON.stringify(m.params).includes(c.number));
    expect(dms).toHaveLength(1);
    expect(JSON.stringify(dms[0]!.params)).toContain(`escalated from Slack by ${USERS.agent}`);
    expect(h.fake.of('conversations.open', (m) => m.params.users === USERS.dpo).length).toBeGreaterThan(0);
    const alerts = (await listOutbox(db(), { caseId: c.id })).filter((r) => r.kind === 'dpo-alert');
    expect(alerts.map((r) => [r.channel, r.state]).sort()).toEqual([['mail', 'sent'], ['slack', 'sent']]);
  });

  it('the message shortcut "Open as DPO case" turns a message into one case (never two)', async () => {
    const shortcut = (trigger: string) => ({
      type: 'message_action', callback_id: 'open_as_case', trigger_id: trigger, response_url: h.fake.responseUrl(), team: { id: 'T0001' },
      user: { id: USERS.agent }, channel: { id: 'C0SUPPORT', name: 'support' }, message_ts: '1772700000.000100', action_ts: '1772700100.1',
      message: { type: 'message', user: 'U0COLLEAGUE', ts: '1772700000.000100', text: PII.shortcut },
    });
    expect((await postSigned(h.url, interactiveBody(shortcut('trigger-sc-1')), { secret: SECRET })).status).toBe(200);
    const view = await openedView(h, 'trigger-sc-1');
    expect(JSON.stringify(view)).toContain(PII.shortcut);
    await submit(h, USERS.agent, view, { types: ['erasure'] });
    const source = 'slack:msg:C0SUPPORT:1772700000.000100';
    const c = (await vi.waitFor(async () => (await findCaseBySource(db(), source))!))!;
    expect(c.receivedAt.toISOString()).toBe('2026-03-05T08:40:00.000Z');
    await postSigned(h.url, interactiveBody(shortcut('trigger-sc-2')), { secret: SECRET });
    await submit(h, USERS.agent, await openedView(h, 'trigger-sc-2'), { types: ['erasure'] });
    await vi.waitFor(() => expect(h.fake.of('chat.postEphemeral', (m) => String(m.params.text).includes('Already opened as'))).toHaveLength(1));
    expect((await listCases(db())).filter((x) => x.sourceKey === source)).toHaveLength(1);
  });

  it('App Home: my cases and the team\'s, overdue first, with countdowns; read-only without a role', async () => {
    const overdue = await seedRequest(h, { receivedAt: '2026-01-12T09:00:00Z', owner: USERS.agent2 });
    const breach = await seedBreach(h, '2026-03-05T06:00:00Z');
    const mine = await seedRequest(h, { owner: USERS.agent2 });
    expect((await sendEvent(h, { type: 'app_home_opened', user: USERS.agent2, channel: 'D0HOME', tab: 'home' })).status).toBe(200);
    await vi.waitFor(() => expect(h.fake.of('views.publish', (p) => p.params.user_id === USERS.agent2)).toHaveLength(1));
    const home = JSON.stringify(h.fake.of('views.publish', (p) => p.params.user_id === USERS.agent2)[0]!.params.view);
    const [myPart, teamPart] = home.split("The team's cases");
    expect(myPart).toContain(mine.number);
    expect(myPart).toContain(overdue.number);
    expect(myPart).not.toContain(breach.number);
    expect(teamPart!.indexOf(overdue.number)).toBeLessThan(teamPart!.indexOf(breach.number));
    expect(teamPart!.indexOf(breach.number)).toBeLessThan(teamPart!.indexOf(mine.number));
    expect(home).toMatch(/OVERDUE \d+d/);
    expect(home).toContain('due 2026-03-08 07:00 (in 2d 20h)');
    expect(home).not.toContain(PII.name);

    await sendEvent(h, { type: 'app_home_opened', user: USERS.nobody, channel: 'D0HOME2', tab: 'home' });
    await vi.waitFor(() => expect(h.fake.of('views.publish', (p) => p.params.user_id === USERS.nobody)).toHaveLength(1));
    const readOnly = JSON.stringify(h.fake.of('views.publish', (p) => p.params.user_id === USERS.nobody)[0]!.params.view);
    expect(readOnly).toContain('read-only view');
    expect(readOnly).not.toContain('case_take');
    expect(readOnly).toContain(overdue.number);
  });
});
