/** Case facts for the request log and the monthly report: numbers, types, dates and clocks — no personal data. */
import type { Executor } from './database.ts';

export interface RequestFacts {
  id: string;
  number: string;
  kind: string;
  types: string[];
  regimes: string[];
  state: string;
  receivedDate: string;
  closedAt: Date | null;
  governingRegime: string | null;
  governingDueAt: Date | null;
  extended: boolean;
  deadlines: { regime: string; dueAt: Date; pausedDays: number }[];
}

/**
 * Every case but breaches, with its clocks: received within [receivedFrom, receivedTo] (dates, inclusive), or —
 * with `orActiveSince` — also open, or closed since that instant (the report's twelve months and "overdue now").
 */
export async function requestFacts(
  db: Executor, f: { receivedFrom?: string; receivedTo?: string; orActiveSince?: Date } = {},
): Promise<RequestFacts[]> {
  const rows = await db.selectFrom('cases')
    .select(['id', 'number', 'kind', 'request_types', 'regimes', 'state', 'received_date', 'closed_at',
      'governing_regime', 'governing_due_at', 'extension_sent_on'])
    .where('kind', '<>', 'breach')
    .where((eb) => {
      const received = [];
      if (f.receivedFrom) received.push(eb('received_date', '>=', f.receivedFrom));
      if (f.receivedTo) received.push(eb('received_date', '<=', f.receivedTo));
      const inRange = received.length ? eb.and(received) : eb.lit(true);
      if (!f.orActiveSince) return inRange;
      return eb.or([inRange, eb('closed_at', 'is', null), eb('closed_at', '>=', f.orActiveSince.getTime())]);
    })
    .orderBy('received_date').orderBy('number').execute();
  const clocks = new Map<string, RequestFacts['deadlines']>();
  for (let i = 0; i < rows.length; i += 500) {
    const ids = rows.slice(i, i + 500).map((r) => r.id);
    const ds = await db.selectFrom('case_deadlines').select(['case_id', 'regime', 'due_at', 'paused_days'])
      .where('case_id', 'in', ids).execute();
    for (const d of ds) {
      const clock = { regime: d.regime, dueAt: new Date(Number(d.due_at)), pausedDays: Number(d.paused_days) };
      clocks.set(d.case_id, [...(clocks.get(d.case_id) ?? []), clock]);
    }
  }
  const instant = (n: number | null) => (n === null ? null : new Date(Number(n)));
  return rows.map((r) => ({
    id: r.id, number: r.number, kind: r.kind, types: JSON.parse(r.request_types), regimes: JSON.parse(r.regimes),
    state: r.state, receivedDate: r.received_date, closedAt: instant(r.closed_at), governingRegime: r.governing_regime,
    governingDueAt: instant(r.governing_due_at), extended: r.extension_sent_on !== null,
    deadlines: clocks.get(r.id) ?? [],
  }));
}

/** Breaches that became known in [from, to), with their first notification (authority or customer). */
export async function breachFacts(
  db: Executor, from: Date, to: Date,
): Promise<{ number: string; awareAt: Date; notifiedAt: Date | null }[]> {
  const rows = await db.selectFrom('cases').select(['id', 'number', 'aware_at']).where('kind', '=', 'breach')
    .where('aware_at', '>=', from.getTime()).where('aware_at', '<', to.getTime()).orderBy('number').execute();
  if (!rows.length) return [];
  const notices = await db.selectFrom('audit_events').select(['case_id', (eb) => eb.fn.min('at').as('first')])
    .where('type', 'in', ['AuthorityNotified', 'CustomerNotified']).where('case_id', 'in', rows.map((r) => r.id))
    .groupBy('case_id').execute();
  const first = new Map(notices.map((n) => [n.case_id, Number(n.first)]));
  return rows.map((r) => ({
    number: r.number, awareAt: new Date(Number(r.aware_at)),
    notifiedAt: first.has(r.id) ? new Date(first.get(r.id)!) : null,
  }));
}
