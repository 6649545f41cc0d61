/**
 * A breach's 72-hour clock through virtual hours on SQLite and PostgreSQL: the DPO is paged at once, reminders at
 * 24, 48, 60, 66 and 71 hours after awareness — through a weekend and the night of a daylight-saving change —
 * and at 72 hours "deadline missed"; a breach notified in time gets nothing more. The processor role runs the
 * customer-notification clock with the same reminders.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDeadlines } from '../../../src/adapters/db/case-repository.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { acknowledgeReminders } from '../../../src/app/reminder-actions.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';
import { recorder, runUntil, type Delivered } from '../../support/scenario.ts';

const ENV = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_DPOS: 'U0DPO', MANAGERS_EMAIL: 'boss@example.com' };
const AWARE = '2026-03-27T09:00:00.000Z'; // Friday 10:00 Berlin; clocks go forward on Sunday 29 March

describe.each(testDatabases())('breach reminders on $name', (tdb) => {
  let url: string;
  let drop: () => Promise<void>;
  let desk: Desk;
  const clock = virtualClock(AWARE);

  beforeEach(async () => {
    ({ url, drop } = await freshDatabase(tdb));
    clock.set(AWARE);
  });
  afterEach(async () => { await desk.close(); await drop(); });

  const open = async () => (await openCase(desk.deps, {
    kind: 'breach', channel: 'slack', receivedAt: new Date(AWARE), awareAt: new Date(AWARE), owner: 'U0OWNER',
    actor: { id: 'U0DPO', role: 'dpo' },
  }, clock())).case;
  const ackAll = (log: Delivered[]) => async () => {
    for (const d of log.filter((x) => x.kind === 'reminder' && !(x.row.payload as { acked?: boolean }).acked)) {
      (d.row.payload as { acked?: boolean }).acked = true;
      await acknowledgeReminders(desk.deps, d.row.payload.reminderIds as string[], { id: 'U0OWNER', role: 'agent' }, clock());
    }
  };
  const timeline = (log: Delivered[]) => log.filter((d) => d.kind === 'reminder').map((d) => `${d.at} ${d.to} ${d.items.join(',')}`);

  it('pages the DPO at once and reminds at 24, 48, 60, 66, 71 h, then "missed" at 72 h — weekend and DST included', async () => {
    desk = testDesk(url, { clock, env: ENV });
    const c = await open();
    expect(c.governingDueAt!.toISOString()).toBe('2026-03-30T09:00:00.000Z'); // 11:00 CEST: 72 h of elapsed time
    const r = recorder(clock);
    await runUntil([desk], clock, '2026-04-02T00:00:00Z', r.transports, ackAll(r.log));
    const n = c.number;
    expect(timeline(r.log)).toEqual([
      `2026-03-27T09:00:00.000Z user:U0DPO ${n}:dpo-page`,
      `2026-03-27T09:00:00.000Z mail:dpo@example.com ${n}:dpo-page`,
      `2026-03-28T09:00:00.000Z user:U0OWNER ${n}:breach-24h`,
      `2026-03-28T09:00:00.000Z user:U0DPO ${n}:breach-24h`,
      `2026-03-28T09:00:00.000Z mail:dpo@example.com ${n}:breach-24h`,
      `2026-03-29T09:00:00.000Z user:U0OWNER ${n}:breach-48h`,
      `2026-03-29T09:00:00.000Z user:U0DPO ${n}:breach-48h`,
      `2026-03-29T09:00:00.000Z mail:dpo@example.com ${n}:breach-48h`,
      `2026-03-29T21:00:00.000Z user:U0OWNER ${n}:breach-60h`,
      `2026-03-29T21:00:00.000Z user:U0DPO ${n}:breach-60h`,
      `2026-03-29T21:00:00.000Z mail:dpo@example.com ${n}:breach-60h`,
      `2026-03-30T03:00:00.000Z user:U0OWNER ${n}:breach-66h`,
      `2026-03-30T03:00:00.000Z user:U0DPO ${n}:breach-66h`,
      `2026-03-30T03:00:00.000Z mail:dpo@example.com ${n}:breach-66h`,
      `2026-03-30T03:00:00.000Z channel:managers ${n}:breach-66h`,
      `2026-03-30T03:00:00.000Z mail:boss@example.com ${n}:breach-66h`,
      `2026-03-30T08:00:00.000Z user:U0OWNER ${n}:breach-71h`,
      `2026-03-30T08:00:00.000Z user:U0DPO ${n}:breach-71h`,
      `2026-03-30T08:00:00.000Z mail:dpo@example.com ${n}:breach-71h`,
      `2026-03-30T08:00:00.000Z channel:managers ${n}:breach-71h`,
      `2026-03-30T08:00:00.000Z mail:boss@example.com ${n}:breach-71h`,
      `2026-03-30T09:00:00.000Z user:U0DPO ${n}:breach-missed`,
      `2026-03-30T09:00:00.000Z mail:dpo@example.com ${n}:breach-missed`,
      `2026-03-30T09:00:00.000Z channel:managers ${n}:breach-missed`,
      `2026-03-30T09:00:00.000Z mail:boss@example.com ${n}:breach-missed`,
    ]);
  });

  it('a breach assessed and notified in time gets nothing more', async () => {
    desk = testDesk(url, { clock, env: ENV });
    const c = await open();
    const r = recorder(clock);
    await runUntil([desk], clock, '2026-03-28T12:00:00Z', r.transports, ackAll(r.log));
    const dpo = { id: 'U0DPO', role: 'dpo' as const };
    await recordCaseEvent(desk.deps, { caseNumber: c.number, type: 'Assessed', actor: dpo, fields: { risk: 'risk', reasons: 'customer e-mail addresses exposed' } }, clock());
    await recordCaseEvent(desk.deps, { caseNumber: c.number, type: 'AuthorityNotified', actor: dpo, fields: { phase: 'initial' } }, clock());
    await runUntil([desk], clock, '2026-04-05T00:00:00Z', r.transports, ackAll(r.log));
    expect(timeline(r.log).map((l) => l.split(':').pop())).toEqual(['dpo-page', 'dpo-page', 'breach-24h', 'breach-24h', 'breach-24h']);
  });

  it('processor role: the customer-notification clock (Art. 33(2), DPA) with the same reminders', async () => {
    desk = testDesk(url, { clock, env: { ...ENV, ORG_ROLE: 'processor' } });
    const c = await open();
    const [clockRow] = await getDeadlines(desk.deps.database.db, c.id);
    expect(clockRow).toMatchObject({ regime: 'processor-breach', rule: expect.stringContaining('Art. 33(2)') });
    const r = recorder(clock);
    await runUntil([desk], clock, '2026-03-31T00:00:00Z', r.transports, ackAll(r.log));
    expect(timeline(r.log).filter((l) => l.includes('user:U0OWNER')).map((l) => l.split(' ')[0])).toEqual([
      '2026-03-28T09:00:00.000Z', '2026-03-29T09:00:00.000Z', '2026-03-29T21:00:00.000Z', '2026-03-30T03:00:00.000Z', '2026-03-30T08:00:00.000Z',
    ]);
  });
});
