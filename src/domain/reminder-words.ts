/**
 * What a reminder says, in the words of the people who read it — pure. Each item names its clock ("GDPR one
 * month", "15-day promise"), that clock's own date, what is due and how much time is left, counted when the
 * reminder goes out (a catch-up after downtime tells the truth of today). Never an internal id, never a person.
 */
import { DateTime } from 'luxon';
import type { Deadline } from './deadlines/deadline.ts';
import type { WorkingCalendar } from './deadlines/working-calendar.ts';
import { addDays, daysBetween, dateInZone, type LocalDate } from './local-date.ts';
import type { ReminderDefinition } from './workflow/definition.ts';

/** The one thing to do about a reminder, as a button: answer, decide on an extension, open the case, take it. */
export type ReminderAction = 'reply' | 'extend' | 'details' | 'take';

export interface ReminderWords {
  /** The clock's regime id (data for tools, never shown). */
  regime: string | null;
  /** "GDPR one month", "15-day promise", "72 hours to notify the authority". */
  clock: string;
  /** That clock's date: `Tue 7 Apr 2026` (requests), `Mon 30 Mar 2026, 11:00` (breaches). */
  due: string;
  /** The same as data: `2026-04-07` (requests) or an ISO instant (breaches); null without a clock. */
  dueDate: string | null;
  overdue: boolean;
  /** "The answer to the data subject is due in 10 working days." */
  what: string;
  /** Whether it is the "extend or not?" question (said beside the deadline's words, never replaced by them). */
  extension: boolean;
  action: ReminderAction;
}

export interface WordsInput {
  /** The base rule (an escalation step `owner-2wd>dpo` speaks as `owner-2wd`). */
  rule: ReminderDefinition | undefined;
  /** The reminder row's occurrence: `<regime>:<anchor>[:<day>]:<recipient>` or `aware:<instant>:<recipient>`. */
  occurrence: string;
  escalated: boolean;
  /** Who reads it: only the DPO decides on an extension. */
  recipient: string;
  case: { kind: string; owner: string | null };
  deadlines: readonly Deadline[];
  now: Date;
  zone: string;
  calendar: WorkingCalendar;
  contract: { days: number; unit: 'calendar' | 'business' };
}

const REGIME_CLOCK: Record<string, string> = {
  gdpr: 'GDPR one month',
  'uk-gdpr': 'UK GDPR one month',
  ccpa: 'CCPA 45 days',
  lgpd: 'LGPD 15 days',
  'gdpr-breach': '72 hours to notify the authority',
  'processor-breach': 'notice to the customer (DPA)',
};

/** The name people know a clock by. */
export function clockName(
  regime: string, d: Pick<Deadline, 'extended'> | null, contract: WordsInput['contract'],
): string {
  const base = regime === 'contract'
    ? `${contract.days}-${contract.unit === 'business' ? 'working-day' : 'day'} promise`
    : REGIME_CLOCK[regime] ?? regime;
  return d?.extended ? `${base}, extended` : base;
}

const ANSWER = 'The answer to the data subject';

export function describeReminder(p: WordsInput): ReminderWords {
  const regime = p.occurrence.split(':')[0]!;
  const d = regime === 'aware' ? p.deadlines[0] ?? null : p.deadlines.find((x) => x.regime === regime) ?? null;
  const extension = p.rule?.anchor === 'first_month_end';
  const action: ReminderAction = extension && p.recipient === 'dpo' ? 'extend' : !p.case.owner ? 'take'
    : p.case.kind === 'breach' ? 'details' : 'reply';
  if (!d) {
    const what = 'This case needs attention.';
    return { regime: null, clock: 'no clock', due: '—', dueDate: null, overdue: false, what, extension, action };
  }
  const clock = clockName(d.regime, d, p.contract);
  const overdue = d.dueAt.getTime() <= p.now.getTime();
  const nobody = p.escalated ? ' Nobody has acknowledged the reminder yet.' : '';
  if (p.case.kind === 'breach') {
    const due = breachDate(d.dueAt, p.zone);
    const what = breachWords(p, d, due, overdue) + nobody;
    return { regime: d.regime, clock, due, dueDate: d.dueAt.toISOString(), overdue, what, extension: false, action };
  }
  const dueDate = d.extended && d.extendedDue ? d.extendedDue : d.due;
  const due = requestDate(dueDate);
  const today = dateInZone(p.now, p.zone);
  let what: string;
  if (extension) {
    const end = `${requestDate(d.due)}, the end of the first month`;
    what = p.recipient === 'dpo'
      ? `Decide whether to extend: an extension needs a notice with reasons by ${end}.`
      : `If the answer needs more time, ask the DPO for an extension before ${end}.`;
  } else if (overdue) {
    const days = plural(daysBetween(dueDate, today), 'day');
    what = `${ANSWER} is overdue by ${days} (due ${due}). Answer now or tell the DPO.`;
  } else if (dueDate === today) {
    what = `${ANSWER} is due today.`;
  } else {
    what = `${ANSWER} is due in ${plural(workingDaysLeft(p.calendar, today, dueDate), 'working day')}.`;
  }
  return { regime: d.regime, clock, due, dueDate, overdue, what: what + nobody, extension, action };
}

function breachWords(p: WordsInput, d: Deadline, due: string, overdue: boolean): string {
  const duty = d.regime === 'processor-breach' ? 'Tell the customer (controller)' : 'Notify the supervisory authority';
  if (p.rule?.anchor === 'aware' && p.rule.at === '0') {
    return `A breach was reported. ${duty} by ${due}, or record why it is not notifiable.`;
  }
  if (overdue) return `The 72 hours ran out at ${due}. ${duty} now, with the reasons for the delay (Art. 33(1)).`;
  return `${duty} by ${due}: ${hoursLeft(d.dueAt, p.now)} left.`;
}

/** Working days after `today` up to and including `due`. */
function workingDaysLeft(cal: WorkingCalendar, today: LocalDate, due: LocalDate): number {
  let n = 0;
  for (let day = addDays(today, 1); day <= due; day = addDays(day, 1)) if (cal.dayOff(day) === null) n++;
  return n;
}

function hoursLeft(dueAt: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((dueAt.getTime() - now.getTime()) / 60_000));
  return minutes >= 120 ? plural(Math.floor(minutes / 60), 'hour') : plural(minutes, 'minute');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `Tue 7 Apr 2026`. */
export function requestDate(d: LocalDate): string {
  return DateTime.fromISO(d).setLocale('en-GB').toFormat('ccc d LLL yyyy');
}

/** `Mon 30 Mar 2026, 11:00` in the organisation's zone. */
export function breachDate(t: Date, zone: string): string {
  return DateTime.fromJSDate(t, { zone }).setLocale('en-GB').toFormat('ccc d LLL yyyy, HH:mm');
}
