/**
 * Planning reminders (pure): a reminder already due when it is planned fires at once — the breach page, or the
 * latest reminder of a clock a case reached late — instead of being dropped; once the deadline passed only the
 * overdue reminders speak; a daily overdue reminder after downtime plans its next firing from today.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { computeDeadline } from '../../../src/domain/deadlines/clocks.ts';
import { createWorkingCalendar } from '../../../src/domain/deadlines/working-calendar.ts';
import { nextDaily, planReminders } from '../../../src/domain/reminders.ts';
import { checkWorkflow, type WorkflowDefinition } from '../../../src/domain/workflow/definition.ts';

const load = (name: string): WorkflowDefinition => {
  const r = checkWorkflow(name, parse(readFileSync(new URL(`../../../workflows/${name}`, import.meta.url), 'utf8')), () => true);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.workflow;
};
const calendar = createWorkingCalendar('DE');
const zone = 'Europe/Berlin';

describe('planReminders', () => {
  it('the breach page at awareness + 0, planned minutes later, fires now (not dropped)', () => {
    const awareAt = new Date('2026-03-27T09:00:00Z');
    const now = new Date('2026-03-27T09:07:00Z');
    const deadlines = [computeDeadline({ regime: 'gdpr-breach', receivedAt: awareAt, awareAt, zone, calendar })];
    const plan = planReminders({
      workflow: load('breach.yaml'), case: { state: 'reported', regimes: [], awareAt, closedAt: null }, deadlines, calendar, zone,
      reminderTime: '09:00', now,
    });
    expect(plan.filter((p) => p.fireAt.getTime() === now.getTime()).map((p) => `${p.ruleId}:${p.recipient}`)).toEqual(['dpo-page:dpo']);
    expect(plan.find((p) => p.ruleId === 'breach-24h')!.fireAt.toISOString()).toBe('2026-03-28T09:00:00.000Z');
  });

  it('a request reached late: only the latest past reminder per clock and recipient fires now', () => {
    const now = new Date('2026-04-01T10:00:00Z'); // received 5 March, due 7 April: -10wd, -5wd, -2wd are past
    const deadlines = [computeDeadline({ regime: 'gdpr', receivedAt: new Date('2026-03-05T09:00:00Z'), zone, calendar })];
    const plan = planReminders({
      workflow: load('request.yaml'), case: { state: 'received', regimes: ['gdpr'], awareAt: null, closedAt: null }, deadlines, calendar,
      zone, reminderTime: '09:00', now,
    });
    const atOnce = plan.filter((p) => p.fireAt.getTime() === now.getTime()).map((p) => `${p.ruleId}:${p.recipient}`).sort();
    expect(atOnce).toEqual(['dpo-5wd:dpo', 'extend-or-not:dpo', 'owner-2wd:owner']);
  });

  it('after the deadline only the overdue reminder fires now', () => {
    const now = new Date('2026-04-10T10:00:00Z');
    const deadlines = [computeDeadline({ regime: 'gdpr', receivedAt: new Date('2026-03-05T09:00:00Z'), zone, calendar })];
    const plan = planReminders({
      workflow: load('request.yaml'), case: { state: 'received', regimes: ['gdpr'], awareAt: null, closedAt: null }, deadlines, calendar,
      zone, reminderTime: '09:00', now,
    });
    expect(plan.map((p) => `${p.ruleId}:${p.recipient}:${p.fireAt.toISOString()}`)).toEqual([
      'overdue-daily:owner:2026-04-10T10:00:00.000Z', 'overdue-daily:dpo:2026-04-10T10:00:00.000Z',
    ]);
  });
});

describe('nextDaily', () => {
  it('plans from the occurrence\'s day when on time, from today after downtime', () => {
    const onTime = nextDaily('gdpr:2026-03-02:2026-03-05:owner', '2026-03-05', zone, '09:00', new Date('2026-03-05T08:00:00Z'));
    expect(onTime).toEqual({ occurrence: 'gdpr:2026-03-02:2026-03-06:owner', fireAt: new Date('2026-03-06T08:00:00Z') });
    const late = nextDaily('gdpr:2026-03-02:2026-03-05:owner', '2026-03-05', zone, '09:00', new Date('2026-03-09T11:00:00Z'));
    expect(late).toEqual({ occurrence: 'gdpr:2026-03-02:2026-03-10:owner', fireAt: new Date('2026-03-10T08:00:00Z') });
  });
});
