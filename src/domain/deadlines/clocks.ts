/**
 * The deadline engine: one function per regime, exactly per reference/gdpr-rules.md §§2–4.
 * Pure: takes instants, dates and a calendar; never reads the clock.
 */
import {
  addDays, addMonthsClamped, dateInZone, daysBetween, endOfDayInstant, formatInZone, maxDate, type LocalDate,
} from '../local-date.ts';
import type { RegimeId } from '../vocabulary.ts';
import {
  DEFAULT_CLOCK_SETTINGS, type ClockInput, type ClockSettings, type Deadline, type Pause,
} from './deadline.ts';
import { addWorkingDays, createWorkingCalendar, rollToWorkingDay, type WorkingCalendar } from './working-calendar.ts';

const HOURS_72_MS = 72 * 3_600_000;

type Ctx = ClockInput & { settings: ClockSettings; received: LocalDate; steps: string[] };
type Partial_ = Omit<Deadline, 'regime' | 'inputs' | 'received' | 'holidays' | 'steps'>;

/** Computes one clock. Throws RangeError on inputs the regime cannot use (e.g. a breach without `awareAt`). */
export function computeDeadline(input: ClockInput): Deadline {
  const settings = { ...DEFAULT_CLOCK_SETTINGS, ...input.settings };
  const anchor = input.regime.endsWith('-breach') ? requireAware(input) : input.receivedAt;
  const received = dateInZone(anchor, input.zone);
  const ctx: Ctx = { ...input, settings, received, steps: [] };
  const result = CLOCKS[input.regime](ctx);
  return {
    regime: input.regime,
    inputs: inputsOf(input, settings),
    received,
    holidays: calendarOf(ctx).id,
    steps: ctx.steps,
    ...result,
  };
}

const CLOCKS: Record<RegimeId, (ctx: Ctx) => Partial_> = {
  gdpr: gdprClock,
  'uk-gdpr': ukGdprClock,
  ccpa: ccpaClock,
  lgpd: lgpdClock,
  contract: contractClock,
  'gdpr-breach': breachClock,
  'processor-breach': processorBreachClock,
};

function requireAware(input: ClockInput): Date {
  if (!input.awareAt) throw new RangeError(`${input.regime} needs the instant of awareness (awareAt)`);
  return input.awareAt;
}

/** uk-gdpr rolls with the UK calendar (gdpr-rules §3): the organisation's when it is a GB one, else England's. */
function calendarOf(ctx: Ctx): WorkingCalendar {
  if (ctx.regime !== 'uk-gdpr' || ctx.calendar.id.startsWith('GB')) return ctx.calendar;
  return createWorkingCalendar('GB-ENG');
}

function roll(ctx: Ctx, d: LocalDate, label: string): LocalDate {
  const rolled = rollToWorkingDay(calendarOf(ctx), d);
  for (const s of rolled.skipped) ctx.steps.push(`${label} ${s.date} is not a working day (${s.why}).`);
  if (rolled.skipped.length) ctx.steps.push(`${label} moves to the next working day, ${rolled.date}.`);
  return rolled.date;
}

/** Paused days: answer date minus question date (EDPB 01/2022 §159); `inclusive` adds the day asked (ICO). */
function pausedDays(ctx: Ctx, pauses: readonly Pause[], inclusive: boolean): { days: number; since: LocalDate | null } {
  let days = 0;
  let since: LocalDate | null = null;
  for (const p of pauses) {
    const end = p.answeredOn ?? ctx.asOf ?? null;
    if (!p.answeredOn) since = p.askedOn;
    if (!end) continue;
    const n = Math.max(0, daysBetween(p.askedOn, end) + (inclusive ? 1 : 0));
    days += n;
    const open = p.answeredOn ? '' : ` (still open, counted to ${end})`;
    ctx.steps.push(`Clock paused for ${p.reason} from ${p.askedOn} to ${end}${open}: ${n} day(s).`);
  }
  return { days, since };
}

function endOf(ctx: Ctx, d: LocalDate): Date {
  return endOfDayInstant(d, ctx.zone);
}

// GDPR Art. 12(3); Reg. 1182/71 Art. 3; EDPB Guidelines 01/2022 §§159-161.
function gdprClock(ctx: Ctx): Partial_ {
  ctx.steps.push(`Received ${ctx.received} (${ctx.zone}); the day of receipt is not counted.`);
  const rawDue = addMonthsClamped(ctx.received, 1);
  ctx.steps.push(`One month later, same day number or the month's last day: ${rawDue}.`);
  const pause = ctx.settings.gdprPause ? pausedDays(ctx, ctx.pauses ?? [], false) : { days: 0, since: null };
  const paused = addDays(rawDue, pause.days);
  if (pause.days) ctx.steps.push(`Plus ${pause.days} paused day(s): ${paused}.`);
  const due = roll(ctx, paused, 'Due date');
  const extendedRaw = ctx.settings.gdprExtensionFrom === 'receipt'
    ? addDays(addMonthsClamped(ctx.received, 3), pause.days)
    : addMonthsClamped(due, 2);
  const basis = ctx.settings.gdprExtensionFrom === 'receipt' ? 'receipt + 3 months (ICO method)' : 'due + 2 months';
  ctx.steps.push(`Extension (Art. 12(3), notice with reasons within the first month): ${basis} = ${extendedRaw}.`);
  const extendedDue = roll(ctx, extendedRaw, 'Extended date');
  return withExtension(ctx, {
    rule: 'GDPR Art. 12(3); Reg. 1182/71 Art. 3; EDPB 01/2022 §§159-161',
    rawDue, due, extendedDue, pausedDays: pause.days, pausedSince: pause.since,
  });
}

// UK GDPR Art. 12(3) with the ICO's "relevant time" and clarification exclusion.
function ukGdprClock(ctx: Ctx): Partial_ {
  const identityAnswers = (ctx.pauses ?? []).filter((p) => p.reason !== 'clarification');
  const clarifications = (ctx.pauses ?? []).filter((p) => p.reason === 'clarification');
  let relevant = ctx.received;
  for (const d of [ctx.idReceivedOn, ctx.feeReceivedOn, ...identityAnswers.map((p) => p.answeredOn)]) {
    if (d) relevant = maxDate(relevant, d);
  }
  ctx.steps.push(`Received ${ctx.received}; relevant time (latest of receipt, identity, fee): ${relevant}.`);
  const awaiting = identityAnswers.find((p) => !p.answeredOn);
  const rawDue = addMonthsClamped(relevant, 1);
  ctx.steps.push(`One month from the relevant time: ${rawDue}.`);
  const pause = pausedDays(ctx, clarifications, true);
  const paused = addDays(rawDue, pause.days);
  if (pause.days) ctx.steps.push(`Plus ${pause.days} clarification day(s), asked to answered inclusive: ${paused}.`);
  const due = roll(ctx, paused, 'Due date');
  const extendedRaw = addDays(addMonthsClamped(relevant, 3), pause.days);
  ctx.steps.push(`Extension by two further months with notice in the first month: ${extendedRaw}.`);
  const extendedDue = roll(ctx, extendedRaw, 'Extended date');
  return withExtension(ctx, {
    rule: 'UK GDPR Art. 12(3); ICO right of access guidance (relevant time)',
    rawDue, due, extendedDue, pausedDays: pause.days, pausedSince: awaiting?.askedOn ?? pause.since,
  });
}

// CCPA Cal. Civ. Code §1798.130(a)(2); CCPA Regulations §§7021, 7026: calendar days, no pause, no roll.
function ccpaClock(ctx: Ctx): Partial_ {
  const cal = calendarOf(ctx);
  const due = addDays(ctx.received, 45);
  const acknowledgeBy = addWorkingDays(cal, ctx.received, 10);
  const optOutBy = addWorkingDays(cal, ctx.received, 15);
  const extendedDue = addDays(ctx.received, 90);
  ctx.steps.push(`Received ${ctx.received}; respond within 45 calendar days: ${due} (no pause, no roll-forward).`);
  ctx.steps.push(`Confirm receipt within 10 business days: ${acknowledgeBy}; opt-out within 15: ${optOutBy}.`);
  ctx.steps.push(`Extension to 90 days with notice and reason by day 45: ${extendedDue}.`);
  if (ctx.pauses?.length) ctx.steps.push('Pauses do not apply under CCPA.');
  return withExtension(ctx, {
    rule: 'CCPA Cal. Civ. Code §1798.130(a)(2); CCPA Regs §§7021, 7026',
    rawDue: due, due, extendedDue, acknowledgeBy, optOutBy, pausedDays: 0, pausedSince: null,
  });
}

// LGPD Art. 19(II): full access statement within 15 days; the law is silent on roll-forward.
function lgpdClock(ctx: Ctx): Partial_ {
  const rawDue = addDays(ctx.received, 15);
  ctx.steps.push(`Received ${ctx.received}; 15 calendar days: ${rawDue}.`);
  const due = ctx.settings.lgpdRoll ? roll(ctx, rawDue, 'Due date') : rawDue;
  if (!ctx.settings.lgpdRoll) ctx.steps.push('No roll-forward (LGPD is silent; configurable).');
  return withExtension(ctx, {
    rule: 'LGPD Art. 19(II)', rawDue, due, extendedDue: null, pausedDays: 0, pausedSince: null,
  });
}

// The contractual promise (a processor's service level, or "within 15 days" in a privacy notice).
function contractClock(ctx: Ctx): Partial_ {
  const { contractDays: n, contractUnit: unit } = ctx.settings;
  const rawDue = unit === 'business' ? addWorkingDays(ctx.calendar, ctx.received, n) : addDays(ctx.received, n);
  ctx.steps.push(`Received ${ctx.received}; contractual ${n} ${unit} day(s): ${rawDue}.`);
  const pause = pausedDays(ctx, ctx.pauses ?? [], false);
  const due = pause.days ? addDays(rawDue, pause.days) : rawDue;
  if (pause.days) ctx.steps.push(`Plus ${pause.days} paused day(s): ${due}.`);
  if (unit === 'calendar') ctx.steps.push('Calendar days: no roll-forward, the promise is kept early.');
  return withExtension(ctx, {
    rule: `contract: ${n} ${unit} days`, rawDue, due, extendedDue: null, pausedDays: pause.days,
    pausedSince: pause.since,
  });
}

// GDPR Art. 33(1): 72 hours of elapsed time from awareness; nights, weekends and DST changes count as they are.
function breachClock(ctx: Ctx): Partial_ {
  const aware = requireAware(ctx);
  const dueAt = new Date(aware.getTime() + HOURS_72_MS);
  ctx.steps.push(`Aware at ${formatInZone(aware, ctx.zone)}; plus 72 hours of elapsed time, no roll-forward.`);
  ctx.steps.push(`Notify the supervisory authority by ${formatInZone(dueAt, ctx.zone)} (${dueAt.toISOString()}).`);
  return {
    rule: 'GDPR Art. 33(1)', rawDue: null, due: dateInZone(dueAt, ctx.zone), extendedDue: null, extended: false,
    acknowledgeBy: null, optOutBy: null, dueAt, pausedDays: 0, pausedSince: null,
  };
}

// GDPR Art. 33(2) and the DPA: the processor alerts the customer without undue delay and, where feasible, within
// 72 hours of becoming aware, at the customer's security-notification address; supplements follow.
function processorBreachClock(ctx: Ctx): Partial_ {
  const d = breachClock(ctx);
  ctx.steps[1] = ctx.steps[1]!.replace('Notify the supervisory authority', 'Alert the customer (controller), where feasible,');
  return { ...d, rule: 'GDPR Art. 33(2); DPA: alert the controller without undue delay, where feasible within 72 h' };
}

type Dates = Pick<Deadline, 'rule' | 'rawDue' | 'due' | 'extendedDue' | 'pausedDays' | 'pausedSince'> &
  Partial<Pick<Deadline, 'acknowledgeBy' | 'optOutBy'>>;

function withExtension(ctx: Ctx, d: Dates): Partial_ {
  const extended = Boolean(ctx.extension && d.extendedDue);
  if (extended) ctx.steps.push(`Extended: notice with reasons sent ${ctx.extension!.noticeSentOn}; due ${d.extendedDue}.`);
  return {
    acknowledgeBy: null, optOutBy: null, ...d, extended,
    dueAt: endOf(ctx, extended ? d.extendedDue! : d.due),
  };
}

function inputsOf(input: ClockInput, settings: ClockSettings): Record<string, unknown> {
  return {
    receivedAt: input.receivedAt.toISOString(),
    zone: input.zone,
    holidays: input.calendar.id,
    pauses: input.pauses ?? [],
    idReceivedOn: input.idReceivedOn ?? null,
    feeReceivedOn: input.feeReceivedOn ?? null,
    awareAt: input.awareAt?.toISOString() ?? null,
    extension: input.extension ?? null,
    asOf: input.asOf ?? null,
    settings,
  };
}
