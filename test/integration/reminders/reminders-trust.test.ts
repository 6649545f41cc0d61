/**
 * Reminders people trust (issue 9, item 5) in virtual time on SQLite and PostgreSQL: the breach page goes out on
 * the first sweep; every item names its own clock and that clock's date, in words, without internal ids;
 * escalation counts working hours (Friday 16:00 + 8 working hours is Monday, never Saturday); after five days of
 * downtime an overdue reminder fires once, for today, and plans its next firing from today.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listReminders } from '../../../src/adapters/db/reminder-repository.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { acknowledgeReminders } from '../../../src/app/reminder-actions.ts';
import { sweepReminders } from '../../../src/app/sweep-reminders.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';
import { recorder, runUntil, tick, type Delivered } from '../../support/scenario.ts';

const ENV = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_DPOS: 'U0DPO', MANAGERS_EMAIL: 'boss@example.com' };
const OWNER = { id: 'U0OWNER', role: 'agent' as const };
/** Internal rule ids and escalation steps: never in what a person reads. */
const INTERNAL = /\b(owner|dpo)-\d+wd\b|overdue-daily|extend-or-not|dpo-at-deadline|dpo-page|breach-\d+h|>(triage|dpo|managers)/;

interface Item { caseNumber: string; regime: string; clock: string; due: string; what: string; overdue: boolean; rules: string[] }
const itemsOf = (d: Delivered) => (d.row.payload.items ?? []) as Item[];

describe.each(testDatabases())('reminders people trust on $name', (tdb) => {
  let url: string;
  let drop: () => Promise<void>;
  let desk: Desk;
  const clock = virtualClock('2026-03-05T10:00:00Z');

  beforeEach(async () => { ({ url, drop } = await freshDatabase(tdb)); });
  afterEach(async () => { await desk.close(); await drop(); });

  const request = (receivedAt: string, owner: string | null = OWNER.id) => openCase(desk.deps, {
    kind: 'request', requestTypes: ['access'], channel: 'mail', receivedAt: new Date(receivedAt), owner,
    actor: { id: 'system', role: 'system' }, requester: { email: 'ada.example@example.test', name: 'Ada Example', verified: true },
  }, clock()).then((r) => r.case);

  const ackOwner = (log: Delivered[]) => async () => {
    for (const d of log.filter((x) => x.to === 'user:U0OWNER' && !(x.row.payload as { acked?: boolean }).acked)) {
      (d.row.payload as { acked?: boolean }).acked = true;
      await acknowledgeReminders(desk.deps, d.row.payload.reminderIds as string[], OWNER, clock());
    }
  };

  it('a breach reported by mail minutes ago: the DPO is paged on the first sweep, in words', async () => {
    clock.set('2026-03-27T09:07:00Z');
    desk = testDesk(url, { clock, env: ENV });
    const c = (await openCase(desk.deps, {
      kind: 'breach', channel: 'mail', receivedAt: new Date('2026-03-27T09:00:00Z'), awareAt: new Date('2026-03-27T09:00:00Z'),
      actor: { id: 'system', role: 'system' },
    }, clock())).case;
    const r = recorder(clock);
    await tick([desk], r.transports); // the first sweep, at the same instant
    const page = r.log.filter((d) => d.kind === 'reminder');
    expect(page.map((d) => [d.at, d.to, d.items.join(',')])).toEqual([
      ['2026-03-27T09:07:00.000Z', 'user:U0DPO', `${c.number}:dpo-page`],
      ['2026-03-27T09:07:00.000Z', 'mail:dpo@example.com', `${c.number}:dpo-page`],
    ]);
    expect(itemsOf(page[0]!)[0]).toMatchObject({
      clock: '72 hours to notify the authority', due: 'Mon 30 Mar 2026, 11:00',
      what: 'A breach was reported. Notify the supervisory authority by Mon 30 Mar 2026, 11:00, or record why it is not notifiable.',
    });
    const mail = String(page[1]!.row.payload.text);
    expect(mail).toContain(`${c.number} · 72 hours to notify the authority: due Mon 30 Mar 2026, 11:00`);
    expect(mail).not.toMatch(INTERNAL);
  });

  it('with a GDPR month and a 15-day promise, each item names its own clock and that clock\'s date', async () => {
    clock.set('2026-03-05T10:00:00Z');
    desk = testDesk(url, { clock, env: { ...ENV, ORG_REGIMES: 'gdpr,contract' } });
    const c = await request('2026-03-05T09:00:00Z');
    const r = recorder(clock);
    await runUntil([desk], clock, '2026-03-24T00:00:00Z', r.transports, ackOwner(r.log));
    const items = r.log.filter((d) => d.kind === 'reminder').flatMap(itemsOf);
    expect(new Set(items.map((i) => i.regime))).toEqual(new Set(['contract', 'gdpr']));
    for (const i of items) {
      expect([i.regime, i.clock, i.due]).toEqual(i.regime === 'contract'
        ? ['contract', '15-day promise', 'Fri 20 Mar 2026'] : ['gdpr', 'GDPR one month', 'Tue 7 Apr 2026']);
    }
    // 20 March: the promise is due today (to the DPO) while the owner hears of the GDPR month, 10 working days left
    const at20 = r.log.filter((d) => d.at === '2026-03-20T08:00:00.000Z');
    const dpoMail = String(at20.find((d) => d.to === 'mail:dpo@example.com')!.row.payload.text);
    expect(dpoMail).toContain(`${c.number} · 15-day promise: due Fri 20 Mar 2026\n  The answer to the data subject is due today.`);
    expect(dpoMail).not.toContain('7 Apr');
    expect(itemsOf(at20.find((d) => d.to === 'user:U0OWNER')!)).toEqual([expect.objectContaining({
      clock: 'GDPR one month', due: 'Tue 7 Apr 2026', what: 'The answer to the data subject is due in 10 working days.', overdue: false,
    })]);
    // 23 March: the promise is overdue, the GDPR month is not
    const overdue = itemsOf(r.log.find((d) => d.at === '2026-03-23T08:00:00.000Z' && d.to === 'mail:dpo@example.com')!);
    expect(overdue).toEqual([expect.objectContaining({
      clock: '15-day promise', overdue: true, what: 'The answer to the data subject is overdue by 3 days (due Fri 20 Mar 2026). Answer now or tell the DPO.',
    })]);
    for (const d of r.log) expect(`${String(d.row.payload.text ?? '')} ${JSON.stringify(itemsOf(d).map(({ rules: _, ...rest }) => rest))}`).not.toMatch(INTERNAL);
  });

  it('escalation counts working hours: Friday 16:00 + 4/8/16 working hours is Monday 12:00, Monday 16:00, Tuesday 16:00', async () => {
    clock.set('2026-02-10T10:00:00Z');
    desk = testDesk(url, { clock, env: { ...ENV, REMINDER_TIME: '16:00' } });
    await request('2026-02-10T09:00:00Z'); // due Tuesday 10 March: owner-2wd is Friday 6 March, 16:00
    const r = recorder(clock);
    await runUntil([desk], clock, '2026-03-10T16:00:00Z', r.transports); // nobody acknowledges
    const owner2 = r.log.filter((d) => d.items.some((i) => i.includes('owner-2wd')));
    expect(owner2.map((d) => [d.at, d.to])).toEqual([
      ['2026-03-06T15:00:00.000Z', 'user:U0OWNER'], // Friday 16:00 Berlin
      ['2026-03-09T11:00:00.000Z', 'channel:triage'], // Monday 12:00 — not Friday 20:00
      ['2026-03-09T15:00:00.000Z', 'user:U0DPO'], // Monday 16:00 — not Saturday 00:00
      ['2026-03-09T15:00:00.000Z', 'mail:dpo@example.com'],
      ['2026-03-10T15:00:00.000Z', 'channel:managers'], // Tuesday 16:00
      ['2026-03-10T15:00:00.000Z', 'mail:boss@example.com'],
    ]);
    // The early reminders reach the owner only
    const early = r.log.filter((d) => d.items.some((i) => /owner-(10|5)wd/.test(i)));
    expect(new Set(early.map((d) => d.to))).toEqual(new Set(['user:U0OWNER']));
  });

  it('after five days of downtime an overdue reminder fires once per case, for today, and plans from today', async () => {
    clock.set('2026-03-03T10:00:00Z');
    desk = testDesk(url, { clock, env: ENV });
    const cases = [await request('2026-02-02T09:00:00Z'), await request('2026-02-02T09:30:00Z')]; // due Monday 2 March
    const r = recorder(clock);
    await runUntil([desk], clock, '2026-03-05T00:00:00Z', r.transports, ackOwner(r.log));
    clock.set('2026-03-09T12:00:00Z'); // down from Thursday 5 March to Monday 9 March, noon
    const sweep = await sweepReminders(desk.deps, clock());
    // Per case the owner's and the DPO's overdue-daily for 5 March — nothing for 6, 7, 8 March; the rest are
    // escalation steps of reminders the owner acknowledged (suppressed).
    expect(sweep.claimed - sweep.suppressed).toBe(4);
    expect(sweep.messages.map((m) => [JSON.stringify(m.target.to), m.items.map((i) => [i.caseNumber, i.what])])).toEqual(
      [{ user: 'U0OWNER' }, { user: 'U0DPO' }, 'dpo@example.com'].map((to) => [JSON.stringify(to), cases.map((c) => [
        c.number, 'The answer to the data subject is overdue by 7 days (due Mon 2 Mar 2026). Answer now or tell the DPO.',
      ])]),
    );
    expect((await sweepReminders(desk.deps, clock())).claimed).toBe(0); // nothing left to catch up
    const next = (await listReminders(desk.deps.database.db, { state: 'planned' })).filter((x) => x.ruleId === 'overdue-daily');
    expect(next.map((x) => [x.fireAt.toISOString(), x.occurrence.split(':').slice(2).join(':')])).toEqual([
      ['2026-03-10T08:00:00.000Z', '2026-03-10:dpo'], ['2026-03-10T08:00:00.000Z', '2026-03-10:dpo'],
      ['2026-03-10T08:00:00.000Z', '2026-03-10:owner'], ['2026-03-10T08:00:00.000Z', '2026-03-10:owner'],
    ]);
  });
});
