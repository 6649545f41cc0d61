/** The managers' daily digest on SQLite and PostgreSQL: overdue first, due this week, on-time rate, once a day. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { sendDigest } from '../../../src/app/digest.ts';
import { openCase } from '../../../src/app/open-case.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';

describe.each(testDatabases())('digest on $name', (tdb) => {
  let desk: Desk;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-01T08:00:00Z');

  beforeEach(async () => {
    const fresh = await freshDatabase(tdb);
    drop = fresh.drop;
    clock.set('2026-03-01T08:00:00Z');
    desk = testDesk(fresh.url, { clock, env: { MANAGERS_EMAIL: 'boss@example.com,deputy@example.com' } });
  });
  afterEach(async () => { await desk.close(); await drop(); });

  const request = (received: string) => openCase(desk.deps, {
    kind: 'request', requestTypes: ['access'], channel: 'cli', receivedAt: new Date(received), actor: { id: 'cli', role: 'dpo' },
  }, new Date(received));

  it('lists open cases by governing deadline, overdue first, with the week and the on-time rate, once a day', async () => {
    const late = await request('2026-02-02T09:00:00Z'); // due 2 March: overdue on 10 March
    const soon = await request('2026-02-12T09:00:00Z'); // due 12 March: this week
    const later = await request('2026-03-05T09:00:00Z'); // due 7 April
    const done = await request('2026-02-20T09:00:00Z');
    const agent = { id: 'U1', role: 'agent' as const };
    await recordCaseEvent(desk.deps, { caseNumber: done.case.number, type: 'Withdrawn', actor: agent, fields: { outcome: 'withdrawn' } }, new Date('2026-03-02T09:00:00Z'));
    clock.set('2026-03-10T07:00:00Z');
    const digest = await sendDigest(desk.deps, clock());
    expect(digest).toMatchObject({ date: '2026-03-10', open: 3, overdue: 1, dueThisWeek: 1, onTimeRate: '100% (1 of 1)' });
    expect(digest.cases.map((c) => [c.caseNumber, c.due, c.countdown.split(' ')[0]])).toEqual([
      [late.case.number, '2026-03-02', 'OVERDUE'], [soon.case.number, '2026-03-12', 'in'], [later.case.number, '2026-04-07', 'in'],
    ]);
    await sendDigest(desk.deps, new Date('2026-03-10T07:30:00Z')); // the same day again: nothing new
    const rows = (await listOutbox(desk.deps.database.db)).filter((o) => o.kind === 'digest');
    expect(rows.map((r) => [r.channel, typeof r.payload.to === 'string' ? r.payload.to : 'managers']).sort()).toEqual([
      ['mail', 'boss@example.com'], ['mail', 'deputy@example.com'], ['slack', 'managers'],
    ]);
    expect(String(rows.find((r) => r.channel === 'mail')!.payload.text)).toContain(`${late.case.number} (request, received): due 2026-03-02`);
  });
});
