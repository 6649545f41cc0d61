/**
 * Reminders end to end in Slack: the sweep's DM through the real Slack transport — its clock, date and what is due
 * in words, one action button — then its Acknowledge button (no escalation follows) and its Snooze modal (refused
 * past the deadline or without a reason, else re-fires).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listReminders } from '../../../src/adapters/db/reminder-repository.ts';
import { sweepReminders } from '../../../src/app/sweep-reminders.ts';
import { testDatabases } from '../../support/databases.ts';
import { answer, click, deliver, expectNoPersonalData, openedView, seedRequest, startHarness, submit, USERS, type Harness } from './harness.ts';

describe('reminder buttons in Slack', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(testDatabases()[0]!); });
  afterAll(async () => { expectNoPersonalData(h.fake); await h?.close(); });

  /** Sweeps at an instant and returns the value of the Acknowledge button of the DM sent to `user`. */
  async function remind(at: string, user: string): Promise<string> {
    h.clock.set(at);
    await sweepReminders(h.desk.deps, h.clock());
    const before = h.fake.of('chat.postMessage').length;
    await deliver(h);
    const dm = h.fake.of('chat.postMessage').slice(before).find((c) => c.params.channel === `D${user.slice(1)}` && JSON.stringify(c.params.blocks).includes('reminder_ack'));
    expect(dm).toBeDefined();
    const raw = dm!.params.blocks;
    const blocks = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { type: string; elements?: { action_id: string; value: string }[] }[];
    return blocks.find((b) => b.type === 'actions')!.elements!.find((e) => e.action_id === 'reminder_ack')!.value;
  }

  it('Acknowledge stops the escalation of that reminder', async () => {
    const c = await seedRequest(h, { owner: USERS.agent, receivedAt: '2026-02-20T09:00:00Z' }); // due Friday 20 March
    const value = await remind('2026-03-18T08:00:00Z', USERS.agent); // owner-2wd, which escalates (owner-10wd does not)
    const r = await click(h, USERS.agent, 'reminder_ack', value);
    expect(await answer(r)).toContain('Acknowledged');
    h.clock.set('2026-03-19T16:00:00Z'); // past the triage (4 wh), DPO (8 wh) and managers (16 wh) steps
    const sweep = await sweepReminders(h.desk.deps, h.clock());
    // Only the owner's next reminder (owner-1wd, not acknowledged yet); the escalation steps are suppressed
    expect(sweep.messages.map((m) => [m.target.to, m.items.map((i) => i.rules)])).toEqual([[{ user: USERS.agent }, [['owner-1wd']]]]);
    const steps = (await listReminders(h.desk.deps.database.db, { caseId: c.id })).filter((x) => x.ruleId.startsWith('owner-2wd>'));
    expect(steps.map((x) => [x.ruleId, x.state, x.outcome]).sort()).toEqual([
      ['owner-2wd>dpo', 'suppressed', 'acknowledged'], ['owner-2wd>managers', 'suppressed', 'acknowledged'], ['owner-2wd>triage', 'suppressed', 'acknowledged'],
    ]);
  });

  it('a reminder DM names its clock and that clock\'s date in words, with one action button, no internal ids', async () => {
    await seedRequest(h, { owner: USERS.agent, receivedAt: '2026-03-04T09:00:00Z' }); // due Tuesday 7 April (Easter)
    await remind('2026-03-20T08:00:00Z', USERS.agent); // its owner-10wd
    const dm = h.fake.of('chat.postMessage', (m) => m.params.channel === `D${USERS.agent.slice(1)}`).at(-1)!;
    const raw = dm.params.blocks;
    const blocks = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { type: string; text?: { text: string }; accessory?: { action_id: string } }[];
    const items = blocks.filter((b) => b.accessory);
    expect(items.map((b) => [b.text!.text, b.accessory!.action_id])).toEqual([[
      expect.stringMatching(/^\*DSR-2026-\d{4}\* · GDPR one month: due Tue 7 Apr 2026\nThe answer to the data subject is due in 10 working days\.$/),
      'case_reply',
    ]]);
    expect(String(dm.params.text)).toContain('GDPR one month: due Tue 7 Apr 2026 — The answer to the data subject is due in 10 working days.');
    expect(`${JSON.stringify(blocks)} ${String(dm.params.text)}`).not.toMatch(/owner-\d+wd|dpo-5wd|overdue-daily|>(triage|dpo|managers)/);
  });

  it('Snooze: a modal; past the deadline or without a reason it is refused in the modal; otherwise it fires again', async () => {
    await seedRequest(h, { owner: USERS.agent2, receivedAt: '2026-03-09T09:00:00Z' }); // due 9 April
    const value = await remind('2026-03-26T08:00:00Z', USERS.agent2); // owner-10wd of the new case
    const r = await click(h, USERS.agent2, 'reminder_snooze', value);
    const view = await openedView(h, r.trigger);
    expect(view.callback_id).toBe('reminder_snooze');
    const noReason = await submit(h, USERS.agent2, view, { for: '4', reason: '' });
    expect(JSON.stringify(noReason.ack)).toContain('needs a reason');
    const ok = await submit(h, USERS.agent2, view, { for: '4', reason: 'in a workshop until noon' });
    expect(ok.ack.view.title.text).toBe('Snoozed');
    await remind('2026-03-26T12:00:00Z', USERS.agent2); // the snoozed reminder comes back four hours later
    const nobody = await click(h, USERS.nobody, 'reminder_snooze', value);
    expect(await answer(nobody)).toContain('no dpo-desk role');
    expect(h.fake.of('views.open', (c) => c.params.trigger_id === nobody.trigger)).toEqual([]);
  });
});
