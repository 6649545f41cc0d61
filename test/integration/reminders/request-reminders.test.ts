/**
 * A request's reminders through weeks of virtual time on SQLite and PostgreSQL: every default reminder fires once
 * at its instant; a restart, two concurrent sweeps, a 3-day downtime and an extension give exactly the expected
 * messages; closed and answered cases get nothing more; escalation of the late reminders, in working hours, when
 * nobody acknowledges.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listReminders } from '../../../src/adapters/db/reminder-repository.ts';
import { findCaseByNumber } from '../../../src/adapters/db/case-repository.ts';
import { readAudit } from '../../../src/adapters/db/audit-log.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { acknowledgeReminders, snoozeReminder } from '../../../src/app/reminder-actions.ts';
import { DeliveryError } from '../../../src/domain/outbox-policy.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';
import { recorder, runUntil, type Delivered } from '../../support/scenario.ts';

const ENV = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_DPOS: 'U0DPO', MANAGERS_EMAIL: 'boss@example.com' };
const OWNER = { id: 'U0OWNER', role: 'agent' as const };

/** Received Thursday 5 March 2026 → due Tuesday 7 April 2026 (Easter: Good Friday 3 and Easter Monday 6 April off). */
const EXPECTED_OWNER = [
  ['2026-03-20T08:00:00.000Z', 'owner-10wd'], // 10 working days before 7 April, 09:00 Berlin
  ['2026-03-27T08:00:00.000Z', 'owner-5wd+extend-or-not'],
  ['2026-04-01T07:00:00.000Z', 'owner-2wd'], // CEST from 29 March
  ['2026-04-02T07:00:00.000Z', 'owner-1wd'],
  ['2026-04-08T07:00:00.000Z', 'overdue-daily'],
  ['2026-04-09T07:00:00.000Z', 'overdue-daily'],
];

describe.each(testDatabases())('request reminders on $name', (tdb) => {
  let url: string;
  let drop: () => Promise<void>;
  let desks: Desk[];
  const clock = virtualClock('2026-03-05T10:00:00Z');

  beforeEach(async () => {
    ({ url, drop } = await freshDatabase(tdb));
    clock.set('2026-03-05T10:00:00Z');
    desks = [testDesk(url, { clock, env: ENV })];
  });
  afterEach(async () => { for (const d of desks) await d.close(); await drop(); });

  async function openTaken(): Promise<string> {
    const { case: c } = await openCase(desks[0]!.deps, {
      kind: 'request', requestTypes: ['access'], channel: 'mail', receivedAt: new Date('2026-03-05T09:00:00Z'),
      owner: OWNER.id, actor: { id: 'system', role: 'system' },
      requester: { email: 'ada.example@example.test', name: 'Ada Example', verified: true },
    }, clock());
    return c.number;
  }

  /** The owner acknowledges everything they receive, so nothing escalates. */
  const ackOwner = (log: Delivered[]) => async () => {
    for (const d of log.filter((x) => x.to === 'user:U0OWNER' && !(x.row.payload as { acked?: boolean }).acked)) {
      (d.row.payload as { acked?: boolean }).acked = true;
      await acknowledgeReminders(desks[0]!.deps, d.row.payload.reminderIds as string[], OWNER, clock());
    }
  };
  const ownerLog = (log: Delivered[]) => log.filter((d) => d.to === 'user:U0OWNER' && d.kind === 'reminder').map((d) => [d.at, d.items[0]!.split(':')[1]]);

  it('fires every default reminder once at its instant, to the right people, and nothing after the answer', async () => {
    const number = await openTaken();
    const r = recorder(clock);
    await runUntil(desks, clock, '2026-04-09T09:00:00Z', r.transports, ackOwner(r.log));
    const answer = { access: { attachments: [{ filename: 'data.json' }], purposes: ['billing'], categories: ['contact'], recipients: [], storagePeriod: '2 years' }, authority: { name: 'Example DPA', url: 'https://dpa.example.test' } };
    await recordCaseEvent(desks[0]!.deps, { caseNumber: number, type: 'WorkStarted', actor: OWNER }, clock());
    await recordCaseEvent(desks[0]!.deps, { caseNumber: number, type: 'Answered', actor: OWNER, fields: { outcome: 'sent', ...answer }, attachments: [{ filename: 'data.json', bytes: new TextEncoder().encode('{}') }] }, clock());
    await runUntil(desks, clock, '2026-05-31T00:00:00Z', r.transports, ackOwner(r.log));

    expect(ownerLog(r.log)).toEqual(EXPECTED_OWNER);
    const dpo = r.log.filter((d) => d.kind === 'reminder' && (d.to === 'user:U0DPO' || d.to === 'mail:dpo@example.com'));
    expect(dpo.map((d) => [d.at, d.to, d.items[0]!.split(':')[1]])).toEqual([
      ['2026-03-27T08:00:00.000Z', 'user:U0DPO', 'dpo-5wd+extend-or-not'],
      ['2026-03-27T08:00:00.000Z', 'mail:dpo@example.com', 'dpo-5wd+extend-or-not'],
      ['2026-04-07T07:00:00.000Z', 'user:U0DPO', 'dpo-at-deadline'],
      ['2026-04-07T07:00:00.000Z', 'mail:dpo@example.com', 'dpo-at-deadline'],
      ['2026-04-08T07:00:00.000Z', 'user:U0DPO', 'overdue-daily'],
      ['2026-04-08T07:00:00.000Z', 'mail:dpo@example.com', 'overdue-daily'],
      ['2026-04-09T07:00:00.000Z', 'user:U0DPO', 'overdue-daily'],
      ['2026-04-09T07:00:00.000Z', 'mail:dpo@example.com', 'overdue-daily'],
    ]);
    expect(r.log.filter((d) => d.kind === 'reminder' && d.to.startsWith('channel:'))).toEqual([]); // acknowledged: no escalation
    const mail = r.log.find((d) => d.to === 'mail:dpo@example.com')!;
    expect(String(mail.row.payload.text)).toContain(number);
    const rows = await listReminders(desks[0]!.deps.database.db);
    expect(rows.filter((x) => x.state === 'planned')).toEqual([]);
    expect(rows.filter((x) => x.state === 'queued')).toEqual([]);
  });

  it('a restart in the middle and two concurrent sweeps give exactly the same messages', async () => {
    await openTaken();
    const r = recorder(clock);
    await runUntil(desks, clock, '2026-03-27T08:00:00Z', r.transports, ackOwner(r.log));
    await desks[0]!.close(); // the process stops…
    desks = [testDesk(url, { clock, env: ENV }), testDesk(url, { clock, env: ENV })]; // …and two instances come up
    await runUntil(desks, clock, '2026-04-09T08:00:00Z', r.transports, ackOwner(r.log));
    expect(ownerLog(r.log)).toEqual(EXPECTED_OWNER);
    const keys = r.log.map((d) => `${d.at}|${d.to}|${d.items.join(',')}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('after a 3-day downtime each recipient gets one consolidated message per case, never a burst', async () => {
    await openTaken();
    const r = recorder(clock);
    await runUntil(desks, clock, '2026-03-21T00:00:00Z', r.transports, ackOwner(r.log));
    clock.set('2026-04-02T12:00:00Z'); // down from 21 March to 2 April noon: -5wd, extend-or-not, -2wd, -1wd missed
    await runUntil(desks, clock, '2026-04-02T12:00:00Z', r.transports, ackOwner(r.log));
    const catchUp = r.log.filter((d) => d.at === '2026-04-02T12:00:00.000Z' && d.kind === 'reminder');
    expect(catchUp.map((d) => [d.to, d.items])).toEqual([
      ['user:U0OWNER', [expect.stringMatching(/^DSR-2026-0001:owner-5wd\+extend-or-not\+owner-2wd\+owner-1wd$/)]],
      ['user:U0DPO', ['DSR-2026-0001:dpo-5wd+extend-or-not']],
      ['mail:dpo@example.com', ['DSR-2026-0001:dpo-5wd+extend-or-not']],
    ]);
  });

  it('an extension re-plans reminders against the new date; the old ones never fire', async () => {
    const number = await openTaken();
    const r = recorder(clock);
    await runUntil(desks, clock, '2026-03-25T10:00:00Z', r.transports, ackOwner(r.log));
    await recordCaseEvent(desks[0]!.deps, { caseNumber: number, type: 'ExtensionRequested', actor: { id: 'U0DPO', role: 'dpo' }, fields: { reasons: 'Many archived systems.' } }, clock());
    await runUntil(desks, clock, '2026-06-10T00:00:00Z', r.transports, ackOwner(r.log));
    expect((await findCaseByNumber(desks[0]!.deps.database.db, number))!.governingDueAt!.toISOString()).toBe('2026-06-05T22:00:00.000Z');
    expect(ownerLog(r.log)).toEqual([
      ['2026-03-20T08:00:00.000Z', 'owner-10wd'],
      ['2026-05-21T07:00:00.000Z', 'owner-10wd'], // 10 working days before Friday 5 June (Whit Monday 25 May off)
      ['2026-05-29T07:00:00.000Z', 'owner-5wd'],
      ['2026-06-03T07:00:00.000Z', 'owner-2wd'],
      ['2026-06-04T07:00:00.000Z', 'owner-1wd'],
      ['2026-06-06T07:00:00.000Z', 'overdue-daily'],
      ['2026-06-07T07:00:00.000Z', 'overdue-daily'],
      ['2026-06-08T07:00:00.000Z', 'overdue-daily'],
      ['2026-06-09T07:00:00.000Z', 'overdue-daily'],
    ]);
  });

  it('groups one person\'s due items of several cases into one message per sweep', async () => {
    await openTaken();
    await openTaken();
    const r = recorder(clock);
    await runUntil(desks, clock, '2026-03-20T08:00:00Z', r.transports, ackOwner(r.log));
    expect(r.log.filter((d) => d.to === 'user:U0OWNER').map((d) => d.items)).toEqual([
      ['DSR-2026-0001:owner-10wd', 'DSR-2026-0002:owner-10wd'],
    ]);
  });

  it('escalates only the reminders the definition marks, after working hours: none for -10wd/-5wd, holidays skipped', async () => {
    await openTaken();
    const r = recorder(clock);
    await runUntil(desks, clock, '2026-04-07T16:00:00Z', r.transports); // nobody acknowledges anything
    const steps = r.log.filter((d) => d.kind === 'reminder' && d.items.some((i) => i.includes('>')));
    expect(steps.map((d) => [d.at, d.to, d.items.join(',')])).toEqual([
      // owner-2wd, Wednesday 1 April 09:00 (CEST): triage +4 wh, DPO +8 wh, managers +16 wh (Thursday 17:00)
      ['2026-04-01T11:00:00.000Z', 'channel:triage', 'DSR-2026-0001:owner-2wd>triage'],
      ['2026-04-01T15:00:00.000Z', 'user:U0DPO', 'DSR-2026-0001:owner-2wd>dpo'],
      ['2026-04-01T15:00:00.000Z', 'mail:dpo@example.com', 'DSR-2026-0001:owner-2wd>dpo'],
      // owner-1wd, Thursday 2 April 09:00: the same, and the managers step skips Good Friday and Easter Monday
      ['2026-04-02T11:00:00.000Z', 'channel:triage', 'DSR-2026-0001:owner-1wd>triage'],
      ['2026-04-02T15:00:00.000Z', 'channel:managers', 'DSR-2026-0001:owner-2wd>managers'],
      ['2026-04-02T15:00:00.000Z', 'mail:boss@example.com', 'DSR-2026-0001:owner-2wd>managers'],
      ['2026-04-02T15:00:00.000Z', 'user:U0DPO', 'DSR-2026-0001:owner-1wd>dpo'],
      ['2026-04-02T15:00:00.000Z', 'mail:dpo@example.com', 'DSR-2026-0001:owner-1wd>dpo'],
      ['2026-04-07T15:00:00.000Z', 'channel:managers', 'DSR-2026-0001:owner-1wd>managers'],
      ['2026-04-07T15:00:00.000Z', 'mail:boss@example.com', 'DSR-2026-0001:owner-1wd>managers'],
    ]);
    const managers = r.log.find((d) => d.to === 'mail:boss@example.com')!;
    expect(String(managers.row.payload.text)).toContain('Nobody has acknowledged the reminder yet.');
  });

  it('suppresses reminders while the clock is paused and for a withdrawn case; snooze stays before the deadline', async () => {
    const number = await openTaken();
    const r = recorder(clock);
    await runUntil(desks, clock, '2026-03-20T08:00:00Z', r.transports, ackOwner(r.log));
    const first = r.log.find((d) => d.to === 'user:U0OWNER')!;
    const id = (first.row.payload.reminderIds as string[])[0]!;
    const late = await snoozeReminder(desks[0]!.deps, { id, until: new Date('2026-04-10T08:00:00Z'), reason: 'on leave', actor: OWNER }, clock());
    expect(late).toMatchObject({ ok: false, code: 'SNOOZE_PAST_MILESTONE' });
    expect(await snoozeReminder(desks[0]!.deps, { id, until: new Date('2026-03-20T10:00:00Z'), reason: '', actor: OWNER }, clock()))
      .toMatchObject({ ok: false, code: 'SNOOZE_REASON_REQUIRED' });
    expect(await snoozeReminder(desks[0]!.deps, { id, until: new Date('2026-03-20T10:00:00Z'), reason: 'in a meeting', actor: OWNER }, clock()))
      .toMatchObject({ ok: true });
    const identity = { reason: 'Unknown address.', proofNeeded: ['customer number'] };
    await runUntil(desks, clock, '2026-03-23T10:00:00Z', r.transports, ackOwner(r.log));
    await recordCaseEvent(desks[0]!.deps, { caseNumber: number, type: 'IdentityRequested', actor: OWNER, fields: { identity } }, clock());
    await runUntil(desks, clock, '2026-04-20T00:00:00Z', r.transports, ackOwner(r.log));
    expect(ownerLog(r.log)).toEqual([
      ['2026-03-20T08:00:00.000Z', 'owner-10wd'],
      ['2026-03-20T10:00:00.000Z', 'owner-10wd'], // the snoozed one, once more
    ]);
    const audit = [];
    for await (const e of readAudit(desks[0]!.deps.database.db)) audit.push(e.type);
    expect(audit).toContain('ReminderSnoozed');
  });

  it('a reminder whose delivery fails is retried, and a permanent failure shows on the case and tells the DPO', async () => {
    const number = await openTaken();
    let calls = 0;
    const r = recorder(clock, (row) => {
      if (row.kind !== 'reminder' || row.payload.to === 'dpo@example.com' || (row.payload.to as { user?: string }).user !== 'U0OWNER') return null;
      calls++;
      return calls === 1 ? new DeliveryError('429 ratelimited', true, 0) : new DeliveryError('channel_not_found', false);
    });
    await runUntil(desks, clock, '2026-03-20T08:00:00Z', r.transports);
    clock.advance(60_000);
    await runUntil(desks, clock, '2026-03-20T08:05:00Z', r.transports);
    expect(calls).toBe(2);
    const c = (await findCaseByNumber(desks[0]!.deps.database.db, number))!;
    expect(c.deliveryFailures).toBe(1);
    const [row] = (await listReminders(desks[0]!.deps.database.db, { caseId: c.id })).filter((x) => x.ruleId === 'owner-10wd');
    expect(row).toMatchObject({ state: 'failed' });
    expect(r.log.some((d) => d.kind === 'dpo-alert' && d.to === 'mail:dpo@example.com')).toBe(true);
  });
});
