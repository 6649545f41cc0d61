/**
 * The managers' monthly report (issue 12): how the team keeps its deadlines. Pure: given the case facts, a month
 * and an instant, the figures. No personal data goes in or comes out — numbers, types, regimes and months only.
 *
 * Definitions (the README repeats them):
 * - received: requests whose receipt date falls in the month, counted once per request type and once per regime;
 * - closed: requests closed (answered, refused, withdrawn) in the month, by the organisation's calendar;
 * - within the legal deadline: closed at or before the earliest statutory clock (every regime but `contract`);
 * - within the contractual promise: closed at or before the `contract` clock, among requests that have one;
 * - median days: calendar days from receipt date to closing date of the requests closed in the month;
 * - extensions / pauses: requests closed in the month that were extended / had paused days (and those days);
 * - overdue now: open requests whose governing deadline has passed at the report's instant;
 * - breaches: those whose awareness falls in the month; notified: authority or customer notified at all; within
 *   72 hours: the first notification at most 72 h of elapsed time after awareness (GDPR Art. 33(1));
 * - on time per month (the chart): requests closed that month at or before their governing deadline.
 */
import { DateTime } from 'luxon';
import { daysBetween, type LocalDate } from '../local-date.ts';

export interface ReportRequest {
  types: string[];
  regimes: string[];
  receivedDate: LocalDate;
  closedAt: Date | null;
  /** The governing (earliest) deadline, the earliest statutory one, and the contractual one, as instants. */
  governingDueAt: Date | null;
  legalDueAt: Date | null;
  contractDueAt: Date | null;
  extended: boolean;
  pausedDays: number;
}

export interface ReportBreach {
  awareAt: Date | null;
  notifiedAt: Date | null;
}

export interface Share {
  n: number;
  of: number;
  /** Percent with one decimal; null when `of` is 0. */
  percent: number | null;
}

export interface MonthlyReport {
  month: string;
  received: { total: number; byType: Record<string, number>; byRegime: Record<string, number> };
  closed: number;
  withinLegal: Share;
  withinContract: Share;
  medianDays: number | null;
  extended: number;
  paused: { requests: number; days: number };
  overdueNow: number;
  breaches: { aware: number; notified: number; within72h: Share };
  onTimeByMonth: { month: string; closed: number; onTime: number; percent: number | null }[];
}

const share = (n: number, of: number): Share => ({ n, of, percent: of ? Math.round((1000 * n) / of) / 10 : null });
const le = (a: Date, b: Date | null) => b !== null && a.getTime() <= b.getTime();

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const count = (into: Record<string, number>, key: string) => { into[key] = (into[key] ?? 0) + 1; };

export function monthlyReport(
  input: {
    month: string; zone: string; now: Date; requests: readonly ReportRequest[]; breaches: readonly ReportBreach[];
  },
): MonthlyReport {
  const { month, zone } = input;
  const monthOf = (d: Date) => DateTime.fromJSDate(d, { zone }).toFormat('yyyy-MM');
  const dateOf = (d: Date) => DateTime.fromJSDate(d, { zone }).toISODate()!;
  const received = input.requests.filter((r) => r.receivedDate.slice(0, 7) === month);
  const byType: Record<string, number> = {};
  const byRegime: Record<string, number> = {};
  for (const r of received) { r.types.forEach((t) => count(byType, t)); r.regimes.forEach((g) => count(byRegime, g)); }
  const closed = input.requests.filter((r) => r.closedAt && monthOf(r.closedAt) === month);
  const legal = closed.filter((r) => r.legalDueAt);
  const contract = closed.filter((r) => r.contractDueAt);
  const breaches = input.breaches.filter((b) => b.awareAt && monthOf(b.awareAt) === month);
  const notified = breaches.filter((b) => b.notifiedAt);
  const first = DateTime.fromISO(`${month}-01`, { zone });
  const months = Array.from({ length: 12 }, (_, i) => first.minus({ months: 11 - i }).toFormat('yyyy-MM'));
  const onTimeByMonth = months.map((m) => {
    const inMonth = input.requests.filter((r) => r.closedAt && monthOf(r.closedAt) === m);
    const onTime = inMonth.filter((r) => le(r.closedAt!, r.governingDueAt)).length;
    return { month: m, closed: inMonth.length, onTime, percent: share(onTime, inMonth.length).percent };
  });
  return {
    month,
    received: { total: received.length, byType, byRegime },
    closed: closed.length,
    withinLegal: share(legal.filter((r) => le(r.closedAt!, r.legalDueAt)).length, legal.length),
    withinContract: share(contract.filter((r) => le(r.closedAt!, r.contractDueAt)).length, contract.length),
    medianDays: median(closed.map((r) => daysBetween(r.receivedDate, dateOf(r.closedAt!)))),
    extended: closed.filter((r) => r.extended).length,
    paused: {
      requests: closed.filter((r) => r.pausedDays > 0).length, days: closed.reduce((s, r) => s + r.pausedDays, 0),
    },
    overdueNow: input.requests.filter((r) => !r.closedAt && r.governingDueAt && le(r.governingDueAt, input.now)).length,
    breaches: {
      aware: breaches.length, notified: notified.length,
      // GDPR Art. 33(1): 72 hours of elapsed time from awareness
      within72h: share(notified.filter((b) => b.notifiedAt!.getTime() - b.awareAt!.getTime() <= 72 * 3_600_000).length,
        notified.length),
    },
    onTimeByMonth,
  };
}

/** The report in words, for the Slack post and the mail (figures only). */
export function reportLines(r: MonthlyReport, org: string): string[] {
  const pct = (s: Share) => (s.percent === null ? 'n/a' : `${s.percent}% (${s.n} of ${s.of})`);
  const list = (o: Record<string, number>) =>
    Object.entries(o).sort().map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return [
    `dpo-desk monthly report ${r.month} – ${org}`,
    `Requests received: ${r.received.total} (by type: ${list(r.received.byType)}; `
      + `by regime: ${list(r.received.byRegime)})`,
    `Requests closed: ${r.closed}; median ${r.medianDays ?? 'n/a'} days from receipt`,
    `Answered within the legal deadline: ${pct(r.withinLegal)}`,
    `Answered within the contractual promise: ${pct(r.withinContract)}`,
    `Extended: ${r.extended}; paused: ${r.paused.requests} (${r.paused.days} days in all)`,
    `Overdue now: ${r.overdueNow}`,
    `Breaches (aware this month): ${r.breaches.aware}; notified: ${r.breaches.notified}; `
      + `within 72 hours: ${pct(r.breaches.within72h)}`,
  ];
}
