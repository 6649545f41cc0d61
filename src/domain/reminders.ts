/**
 * Which reminders a case should get, and when — pure. Reminders are anchored to the legal dates (never to when a
 * case was opened): a request's to working days before each clock's due date at the reminder time of day; a
 * breach's to elapsed hours after awareness (nights and weekends count). One planned reminder per rule, clock,
 * anchor date and recipient: a moved deadline gives new keys, and what was sent stays sent.
 */
import { DateTime } from 'luxon';
import type { Deadline } from './deadlines/deadline.ts';
import { subtractWorkingDays, addWorkingDays, type WorkingCalendar } from './deadlines/working-calendar.ts';
import { addDays, dateInZone, type LocalDate } from './local-date.ts';
import { parseOffset, type ReminderDefinition, type WorkflowDefinition } from './workflow/definition.ts';

export type Recipient = 'owner' | 'dpo' | 'triage' | 'managers';

export interface PlannedReminder {
  ruleId: string;
  /** `<regime>:<anchor date or instant>:<recipient>` (+ `:<day>` for daily repeats): unique per case with the rule. */
  occurrence: string;
  recipient: Recipient;
  fireAt: Date;
}

export interface PlanInput {
  workflow: WorkflowDefinition;
  case: { state: string; regimes: readonly string[]; awareAt: Date | null; closedAt: Date | null };
  deadlines: readonly Deadline[];
  calendar: WorkingCalendar;
  zone: string;
  /** `HH:MM` in `zone`: when date-based reminders fire. */
  reminderTime: string;
  now: Date;
}

/** The reminders to plan now. Past ones are left out, except an overdue reminder, which fires at once. */
export function planReminders(p: PlanInput): PlannedReminder[] {
  if (p.case.closedAt || p.workflow.states[p.case.state]?.final) return [];
  const out: PlannedReminder[] = [];
  for (const rule of p.workflow.reminders) {
    if (!rule.states.includes(p.case.state)) continue;
    for (const { key, at } of firings(rule, p)) {
      const fireAt = at.getTime() < p.now.getTime() ? (rule.overdue ? p.now : null) : at;
      if (!fireAt) continue;
      for (const recipient of rule.to) out.push({ ruleId: rule.id, occurrence: `${key}:${recipient}`, recipient, fireAt });
    }
  }
  return out;
}

/** The next day's occurrence of a daily repeating reminder that just fired on `day`. */
export function nextDaily(occurrence: string, day: LocalDate, zone: string, reminderTime: string): { occurrence: string; fireAt: Date } {
  const next = addDays(day, 1);
  return { occurrence: occurrence.replace(/:\d{4}-\d{2}-\d{2}(:[a-z]+)$/, `:${next}$1`), fireAt: atTime(next, zone, reminderTime) };
}

function firings(rule: ReminderDefinition, p: PlanInput): { key: string; at: Date }[] {
  const { amount, unit } = parseOffset(rule.at);
  if (rule.anchor === 'aware') {
    if (!p.case.awareAt) return [];
    return [{ key: `aware:${p.case.awareAt.toISOString()}`, at: plusHours(p.case.awareAt, unit === 'h' ? amount : amount * 24) }];
  }
  const clocks = p.deadlines.filter((d) => !rule.regimes || rule.regimes.includes(d.regime as never));
  return clocks.flatMap((d) => {
    if (d.rawDue === null) return [{ key: `${d.regime}:${d.dueAt.toISOString()}`, at: plusHours(d.dueAt, unit === 'h' ? amount : amount * 24) }];
    if (rule.anchor === 'first_month_end' && d.extended) return [];
    const base = rule.anchor === 'first_month_end' || !d.extended ? d.due : d.extendedDue!;
    if (rule.overdue) {
      const first = addDays(base, 1);
      const today = dateInZone(p.now, p.zone);
      const day = first > today ? first : today;
      return [{ key: `${d.regime}:${base}:${day}`, at: atTime(day, p.zone, p.reminderTime) }];
    }
    return [{ key: `${d.regime}:${base}`, at: atTime(shiftDate(base, amount, unit, p.calendar), p.zone, p.reminderTime) }];
  });
}

function shiftDate(base: LocalDate, amount: number, unit: 'wd' | 'd' | 'h', cal: WorkingCalendar): LocalDate {
  if (unit === 'wd') return amount < 0 ? subtractWorkingDays(cal, base, -amount) : addWorkingDays(cal, base, amount);
  if (unit === 'd') return addDays(base, amount);
  return addDays(base, Math.trunc(amount / 24));
}

function plusHours(t: Date, hours: number): Date {
  return new Date(t.getTime() + hours * 3_600_000);
}

/** `HH:MM` on a date in a zone, as an instant. */
export function atTime(d: LocalDate, zone: string, hhmm: string): Date {
  const [h, m] = hhmm.split(':').map(Number);
  return DateTime.fromISO(d, { zone }).set({ hour: h, minute: m }).toJSDate();
}

export type Suppression = 'closed' | 'state' | 'paused' | 'reply_drafted' | 'acknowledged' | null;

/** Re-checked when a reminder comes due: closed, answered or paused cases get nothing. */
export function suppression(
  rule: ReminderDefinition | undefined, workflow: WorkflowDefinition, c: { state: string; closedAt: Date | null },
  facts: { replyDrafted: boolean; acknowledged: boolean },
): Suppression {
  if (c.closedAt || workflow.states[c.state]?.final) return 'closed';
  if (facts.acknowledged) return 'acknowledged';
  if (!rule) return workflow.states[c.state]?.clock === 'paused' && workflow.kind === 'request' ? 'paused' : null;
  if (!rule.states.includes(c.state)) return workflow.states[c.state]?.clock === 'paused' ? 'paused' : 'state';
  if (rule.unless === 'reply_drafted' && facts.replyDrafted) return 'reply_drafted';
  return null;
}
