/**
 * Working days of the organisation: weekends, public holidays of a real calendar (date-holidays) and configured
 * closure days. gdpr-rules §2: only days off by law count — date-holidays type `public`, which includes
 * substitute days (a UK bank holiday moved to Monday) — not bank-only, school, optional or observance days.
 */
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { addDays, isoWeekday, type LocalDate } from '../local-date.ts';

export interface WorkingCalendar {
  /** `none`, or a calendar id such as `DE`, `DE-BY`, `GB-ENG`. */
  readonly id: string;
  /** Why `d` is not a working day (`Saturday`, `Ostermontag`, `closure`), or null when it is one. */
  dayOff(d: LocalDate): string | null;
}

const WEEKEND: Record<number, string> = { 6: 'Saturday', 7: 'Sunday' };

/** Whether a calendar id (`DE`, `DE-BY`, `GB-ENG`, `none`) names a calendar date-holidays knows. */
export function isKnownCalendarId(id: string): boolean {
  if (id === 'none') return true;
  const [country, state, region] = id.split('-');
  const hd = new Holidays();
  if (!country || !hd.getCountries()[country]) return false;
  if (state && !hd.getStates(country)?.[state]) return false;
  if (region && !hd.getRegions(country, state!)?.[region]) return false;
  return true;
}

/**
 * A calendar from a calendar id plus extra closure days (`HOLIDAY_CLOSURES`, e.g. 24 and 31 December).
 * Public holidays are looked up once per year and cached.
 */
export function createWorkingCalendar(id: string, closures: readonly LocalDate[] = []): WorkingCalendar {
  if (!isKnownCalendarId(id)) throw new RangeError(`unknown holiday calendar: ${id}`);
  const closed = new Set(closures);
  const byYear = new Map<number, Map<LocalDate, string>>();
  const [country, state, region] = id.split('-');
  const holidays = id === 'none' ? null : new Holidays(country!, state ?? '', region ?? '');

  function publicHolidays(year: number): Map<LocalDate, string> {
    let map = byYear.get(year);
    if (!map) {
      map = new Map();
      for (const h of holidays?.getHolidays(year) ?? []) {
        if (h.type === 'public') map.set(h.date.slice(0, 10), h.name);
      }
      byYear.set(year, map);
    }
    return map;
  }

  return {
    id,
    dayOff(d) {
      const weekend = WEEKEND[isoWeekday(d)];
      if (weekend) return weekend;
      const holiday = publicHolidays(Number(d.slice(0, 4))).get(d);
      if (holiday) return holiday;
      return closed.has(d) ? 'closure day' : null;
    },
  };
}

export interface RolledDate {
  date: LocalDate;
  /** The days skipped and why, in order: how the date was reached. */
  skipped: { date: LocalDate; why: string }[];
}

/**
 * Regulation 1182/71 Art. 3(4): a period ending on a Saturday, Sunday or public holiday ends at the end of the
 * next working day.
 */
export function rollToWorkingDay(cal: WorkingCalendar, d: LocalDate): RolledDate {
  const skipped: RolledDate['skipped'] = [];
  let date = d;
  for (let why = cal.dayOff(date); why !== null; why = cal.dayOff(date)) {
    skipped.push({ date, why });
    date = addDays(date, 1);
  }
  return { date, skipped };
}

/** The `n`-th working day after `d` (d itself not counted): "within 10 business days". */
export function addWorkingDays(cal: WorkingCalendar, d: LocalDate, n: number): LocalDate {
  let date = d;
  for (let left = n; left > 0; ) {
    date = addDays(date, 1);
    if (cal.dayOff(date) === null) left--;
  }
  return date;
}

/** The working day `n` working days before `d` (d itself not counted). */
export function subtractWorkingDays(cal: WorkingCalendar, d: LocalDate, n: number): LocalDate {
  let date = d;
  for (let left = n; left > 0; ) {
    date = addDays(date, -1);
    if (cal.dayOff(date) === null) left--;
  }
  return date;
}

/**
 * `hours` working hours after `from`: only the office hours (`HH:MM-HH:MM` in `zone`) of working days count, so
 * 8 working hours after Friday 16:00 with 09:00-17:00 is Monday 16:00 — never Saturday.
 */
export function addWorkingHours(
  cal: WorkingCalendar, zone: string, officeHours: string, from: Date, hours: number,
): Date {
  const [open, close] = officeHours.split('-').map((hhmm) => {
    const [h, m] = hhmm.split(':').map(Number);
    return h! * 60 + m!;
  }) as [number, number];
  let left = hours * 60; // minutes
  let t: DateTime = DateTime.fromJSDate(from, { zone });
  for (let guard = 0; guard < 3660; guard++) {
    const day = t.toISODate()!;
    const start = atMinute(t, open);
    const end = atMinute(t, close);
    if (cal.dayOff(day) !== null || t >= end) {
      t = DateTime.fromISO(addDays(day, 1), { zone });
      continue;
    }
    if (t < start) t = start;
    const available = end.diff(t, 'minutes').minutes;
    if (left <= available) return t.plus({ minutes: left }).toJSDate();
    left -= available;
    t = DateTime.fromISO(addDays(day, 1), { zone });
  }
  throw new RangeError(`no working hours within ten years after ${from.toISOString()}`);
}

/** The wall-clock minute of `t`'s day (DST-safe: 09:00 stays 09:00); 24:00 is the next midnight. */
function atMinute(t: DateTime, minute: number): DateTime {
  if (minute >= 1440) return t.startOf('day').plus({ days: 1 });
  return t.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 });
}
