/**
 * Calendar dates without a time of day ("2026-03-05") and the conversions between them and instants.
 * Legal periods are counted in calendar days of the organisation's time zone (gdpr-rules §1), so dates are
 * values of their own, never a `Date` at midnight UTC that a time zone could shift.
 */
import { DateTime } from 'luxon';

/** A calendar date `YYYY-MM-DD`. */
export type LocalDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `s` is a real calendar date `YYYY-MM-DD` (2026-02-30 is not). */
export function isLocalDate(s: string): s is LocalDate {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

function parts(d: LocalDate): [number, number, number] {
  const m = DATE_RE.exec(d);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): ${d}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function format(y: number, m: number, d: number): LocalDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Days since 1970-01-01 of a date: exact day arithmetic with no time zone involved. */
function dayNumber(d: LocalDate): number {
  const [y, m, day] = parts(d);
  return Date.UTC(y, m - 1, day) / 86_400_000;
}

function fromDayNumber(n: number): LocalDate {
  const t = new Date(n * 86_400_000);
  return format(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

export function addDays(d: LocalDate, days: number): LocalDate {
  return fromDayNumber(dayNumber(d) + days);
}

/** `b - a` in days. */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return dayNumber(b) - dayNumber(a);
}

/**
 * The same day number `months` later; when that month is shorter, its last day.
 * Regulation 1182/71 Art. 3(2)(c), EDPB Guidelines 01/2022 §160: 31 August + 1 month = 30 September.
 */
export function addMonthsClamped(d: LocalDate, months: number): LocalDate {
  const [y, m, day] = parts(d);
  const index = y * 12 + (m - 1) + months;
  const ty = Math.floor(index / 12);
  const tm = (index % 12) + 1;
  return format(ty, tm, Math.min(day, daysInMonth(ty, tm)));
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(d: LocalDate): number {
  const w = new Date(dayNumber(d) * 86_400_000).getUTCDay();
  return w === 0 ? 7 : w;
}

export function dayOfMonth(d: LocalDate): number {
  return parts(d)[2];
}

export function isLastDayOfMonth(d: LocalDate): boolean {
  const [y, m, day] = parts(d);
  return day === daysInMonth(y, m);
}

export function maxDate(a: LocalDate, b: LocalDate): LocalDate {
  return a >= b ? a : b;
}

/** The calendar date of an instant in an IANA time zone (gdpr-rules §1: the receipt date). */
export function dateInZone(instant: Date, zone: string): LocalDate {
  const dt = DateTime.fromJSDate(instant, { zone });
  if (!dt.isValid) throw new RangeError(`unknown time zone: ${zone}`);
  return dt.toISODate() as LocalDate;
}

/** The first instant of the day after `d` in `zone`: a date-based deadline has passed from then on. */
export function endOfDayInstant(d: LocalDate, zone: string): Date {
  const dt = DateTime.fromISO(d, { zone }).plus({ days: 1 }).startOf('day');
  return dt.toJSDate();
}

/** The last calendar day before `instant` in `zone`: the due date of a clock that runs out at `instant`. */
export function lastDayBefore(instant: Date, zone: string): LocalDate {
  return dateInZone(new Date(instant.getTime() - 1), zone);
}

/** The first instant of `d` in `zone`. */
export function startOfDayInstant(d: LocalDate, zone: string): Date {
  return DateTime.fromISO(d, { zone }).startOf('day').toJSDate();
}

export function isValidZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

/** An instant shown in a zone, e.g. "2026-03-30 11:00 Europe/Berlin (+02:00)". */
export function formatInZone(instant: Date, zone: string): string {
  const dt = DateTime.fromJSDate(instant, { zone });
  return `${dt.toFormat('yyyy-MM-dd HH:mm')} ${zone} (${dt.toFormat('ZZ')})`;
}
