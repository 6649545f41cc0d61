/**
 * When a breach notification may be recorded: GDPR Art. 33(1) — to the supervisory authority within 72 hours of
 * awareness (elapsed time), later only with reasons for the delay; in phases (Art. 33(4)). A processor notifies its
 * customers (Art. 33(2)), never the authority. Pure.
 */
import type { OrgRole } from '../vocabulary.ts';

export const PHASES = ['initial', 'follow-up', 'final'] as const;
export type Phase = (typeof PHASES)[number];

export const AUTHORITY_HOURS = 72;
const HOUR = 3_600_000;

export type Check = { ok: true; late: boolean } | { ok: false; code: string; message: string };

/** Hours elapsed from awareness to `at` (nights and weekends count). */
export function hoursSince(awareAt: Date, at: Date): number {
  return (at.getTime() - awareAt.getTime()) / HOUR;
}

/** GDPR Art. 33(1): a notification after 72 hours needs reasons for the delay. */
export function checkAuthorityNotification(o: {
  role: OrgRole;
  awareAt: Date;
  at: Date;
  phase: string;
  lateReasons?: string | null;
  previousPhases: readonly string[];
}): Check {
  if (o.role === 'processor') {
    return {
      ok: false,
      code: 'PROCESSOR_ROLE',
      message:
        'As a processor the desk does not notify the authority: alert the affected customers (CustomerNotified); '
          + 'the controller notifies (Art. 33(2)).',
    };
  }
  if (!(PHASES as readonly string[]).includes(o.phase))
    return { ok: false, code: 'PHASE_INVALID', message: `Phase must be one of ${PHASES.join(', ')}.` };
  if (o.phase !== 'initial' && !o.previousPhases.includes('initial')) {
    return {
      ok: false,
      code: 'PHASE_ORDER',
      message: `A ${o.phase} notification follows an initial one; record the initial notification first.`,
    };
  }
  if (o.phase === 'initial' && o.previousPhases.includes('initial')) {
    return {
      ok: false,
      code: 'PHASE_ORDER',
      message: 'The initial notification is recorded already: record a follow-up or the final one.',
    };
  }
  if (o.previousPhases.includes('final'))
    return { ok: false, code: 'PHASE_ORDER', message: 'The final notification is recorded already.' };
  if (o.at.getTime() < o.awareAt.getTime())
    return { ok: false, code: 'AT_INVALID', message: 'A notification cannot precede awareness.' };
  const late = o.phase === 'initial' && hoursSince(o.awareAt, o.at) > AUTHORITY_HOURS;
  if (late && !o.lateReasons?.trim()) {
    const h = Math.floor(hoursSince(o.awareAt, o.at));
    return {
      ok: false,
      code: 'LATE_REASONS_REQUIRED',
      message: `Notified ${h} h after awareness (more than 72 h): `
        + 'give the reasons for the delay in late_reasons (Art. 33(1)).',
    };
  }
  return { ok: true, late };
}

/** The instant a customer must be alerted by, under its contract (default 72 h from awareness). */
export function customerDueAt(awareAt: Date, noticeHours: number): Date {
  return new Date(awareAt.getTime() + noticeHours * HOUR);
}

/**
 * One reminder track per linked customer until it is alerted (the DPA's "where feasible, within 72 hours"): to
 * the DPO at half the notice hours, 6 hours before and at the customer's deadline. Rule ids `customer-alert>ID`
 * live by their own clock (a state change does not re-plan them); alerting the customer drops them.
 */
export function customerReminderPlan(awareAt: Date, customerId: string, noticeHours: number, now: Date) {
  const due = customerDueAt(awareAt, noticeHours).getTime();
  const at = [
    ['half', due - (noticeHours / 2) * HOUR],
    ['6h', due - 6 * HOUR],
    ['due', due],
  ] as const;
  return at
    .filter(([, t], i) => t > now.getTime() && (i === 0 || t > at[i - 1]![1]))
    .map(([name, t]) => ({
      ruleId: `customer-alert>${customerId}`,
      occurrence: `${customerId}:${name}:dpo`,
      recipient: 'dpo' as const,
      fireAt: new Date(t),
    }));
}
