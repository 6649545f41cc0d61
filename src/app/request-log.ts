/**
 * The request log for auditors (issue 12): one line per request — number, workflow, types, regimes, received,
 * due, extended, paused days, answered, outcome, on time — and nothing about the person. CSV through csv-stringify,
 * with spreadsheet formula injection escaped (a cell starting with = + - @ tab or CR gets a leading ').
 */
import { stringify } from 'csv-stringify/sync';
import { requestFacts, type RequestFacts } from '../adapters/db/report-repository.ts';
import { dateInZone, lastDayBefore } from '../domain/local-date.ts';
import type { AppDeps } from './deps.ts';

export const REQUEST_LOG_COLUMNS = [
  'number', 'workflow', 'types', 'regimes', 'received', 'due', 'extended', 'paused_days', 'answered', 'outcome',
  'on_time',
] as const;

export type RequestLogRow = Record<(typeof REQUEST_LOG_COLUMNS)[number], string | number>;

export async function requestLog(
  deps: AppDeps, range: { from?: string; to?: string }, now: Date,
): Promise<RequestLogRow[]> {
  const facts = await requestFacts(deps.database.db, { receivedFrom: range.from, receivedTo: range.to });
  return facts.map((f) => logRow(f, deps.config.org.timezone, now));
}

/** On time: closed at or before the governing deadline; an open request is `no` once overdue, else `pending`. */
function logRow(f: RequestFacts, zone: string, now: Date): RequestLogRow {
  const governing = f.deadlines.find((d) => d.regime === f.governingRegime);
  const due = f.governingDueAt;
  const onTime = !due ? '' : f.closedAt ? (f.closedAt <= due ? 'yes' : 'no') : now >= due ? 'no' : 'pending';
  return {
    number: f.number, workflow: f.kind, types: f.types.join(';'), regimes: f.regimes.join(';'),
    received: f.receivedDate, due: due ? lastDayBefore(due, zone) : '', extended: f.extended ? 'yes' : 'no',
    paused_days: governing?.pausedDays ?? 0, answered: f.closedAt ? dateInZone(f.closedAt, zone) : '',
    outcome: f.closedAt ? f.state : 'open', on_time: onTime,
  };
}

export function requestLogCsv(rows: readonly RequestLogRow[]): string {
  return stringify(rows as RequestLogRow[], { header: true, columns: [...REQUEST_LOG_COLUMNS], escape_formulas: true });
}
