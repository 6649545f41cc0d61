/**
 * Which reminders a case should get, and when — pure. Reminders are anchored to the legal dates (never to when a
 * case was opened): a request's to working days before each clock's due date at the reminder time of day; a
 * breach's to elapsed hours after awareness (nights and weekends count). One planned reminder per rule, clock,
 * anchor date and recipient: a moved deadline gives new keys, and what was sent stays sent.
 */
import { DateTime } from 'luxon';
import type { Deadline } from './deadlines/deadline.ts';
import {
  addWorkingDays, addWorkingHours, subtractWorkingDays, type WorkingCalendar,
} from './deadlines/working-calendar.ts';
import { addDays, dateInZone, type LocalDate } from './local-date.ts';
import {
  parseEscalationDelay, parseOffset, type ReminderDefinition, type WorkflowDefinition,
} from './workflow/definition.ts';

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

/**
 * The reminders to plan now. A reminder whose instant has passed is never silently dropped while its clock still
 * runs: the latest such reminder per clock and recipient (the breach page at awareness + 0, or the reminder a case
 * opened late would have had last) fires at once, on the next sweep; earlier ones are left out. Once the deadline
 * has passed, only the overdue reminders speak, also at once.
 */
export function planReminders(p: PlanInput): PlannedReminder[] {
  if (p.case.closedAt || p.workflow.states[p.case.state]?.final) return [];
  const out: PlannedReminder[] = [];
  const late = new Map<string, { rule: ReminderDefinition; key: string; at: Date }[]>();
  for (const rule of p.workflow.reminders) {
    if (!rule.states.includes(p.case.state)) continue;
    for (const { key, at, dueAt } of firings(rule, p)) {
      const past = at.getTime() < p.now.getTime();
      if (!past || rule.overdue) {
        for (const recipient of rule.to) out.push(planned(rule, key, recipient, past ? p.now : at));
      } else if (dueAt.getTime() > p.now.getTime()) {
        for (const recipient of rule.to) {
          const slot = `${key.split(':')[0]}|${recipient}`;
          const best = late.get(slot)?.[0];
          if (!best || at.getTime() > best.at.getTime()) late.set(slot, [{ rule, key, at }]);
          else if (at.getTime() === best.at.getTime()) late.get(slot)!.push({ rule, key, at });
        }
      }
    }
  }
  for (const [slot, firings] of late) {
    const recipient = slot.split('|')[1] as Recipient;
    for (const f of firings) out.push(planned(f.rule, f.key, recipient, p.now));
  }
  return out;
}

function planned(rule: ReminderDefinition, key: string, recipient: Recipient, fireAt: Date): PlannedReminder {
  return { ruleId: rule.id, occurrence: `${key}:${recipient}`, recipient, fireAt };
}

/**
 * The next occurrence of a daily repeating reminder that just fired for `day` at `now`: the day after `day`, or,
 * after downtime, the day after today — one message for today, never one per missed day.
 */
export function nextDaily(
  occurrence: string, day: LocalDate, zone: string, reminderTime: string, now: Date,
): { occurrence: string; fireAt: Date } {
  const today = dateInZone(now, zone);
  const next = addDays(day > today ? day : today, 1);
  const key = occurrence.replace(/:\d{4}-\d{2}-\d{2}(:[a-z]+)$/, `:${next}$1`);
  return { occurrence: key, fireAt: atTime(next, zone, reminderTime) };
}

/** When an escalation step after a reminder sent at `sentAt` comes due: working hours (`4wh`) or every hour (`4h`). */
export function escalationAt(
  after: string, sentAt: Date, calendar: WorkingCalendar, zone: string, workingHours: string,
): Date {
  const { hours, working } = parseEscalationDelay(after);
  return working ? addWorkingHours(calendar, zone, workingHours, sentAt, hours) : plusHours(sentAt, hours);
}

function firings(rule: ReminderDefinition, p: PlanInput): { key: string; at: Date; dueAt: Date }[] {
  const { amount, unit } = parseOffset(rule.at);
  if (rule.anchor === 'aware') {
    if (!p.case.awareAt) return [];
    const dueAt = p.deadlines[0]?.dueAt ?? plusHours(p.case.awareAt, 72);
    const at = plusHours(p.case.awareAt, unit === 'h' ? amount : amount * 24);
    return [{ key: `aware:${p.case.awareAt.toISOString()}`, at, dueAt }];
  }
  const clocks = p.deadlines.filter((d) => !rule.regimes || rule.regimes.includes(d.regime as never));
  return clocks.flatMap((d) => {
    const dueAt = d.dueAt;
    if (d.rawDue === null) {
      const at = plusHours(d.dueAt, unit === 'h' ? amount : amount * 24);
      return [{ key: `${d.regime}:${d.dueAt.toISOString()}`, at, dueAt }];
    }
    if (rule.anchor === 'first_month_end' && d.extended) return [];
    const base = rule.anchor === 'first_month_end' || !d.extended ? d.due : d.extendedDue!;
    if (rule.overdue) {
      const first = addDays(base, 1);
      const today = dateInZone(p.now, p.zone);
      const day = first > today ? first : today;
      return [{ key: `${d.regime}:${base}:${day}`, at: atTime(day, p.zone, p.reminderTime), dueAt }];
    }
    const at = atTime(shiftDate(base, amount, unit, p.calendar), p.zone, p.reminderTime);
    return [{ key: `${d.regime}:${base}`, at, dueAt }];
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
