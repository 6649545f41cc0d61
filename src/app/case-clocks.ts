/** The clocks of one case, from its regimes and the organisation's settings. */
import { computeDeadline } from '../domain/deadlines/clocks.ts';
import { governingDeadline, type Deadline, type Pause } from '../domain/deadlines/deadline.ts';
import { dateInZone } from '../domain/local-date.ts';
import type { Case } from '../domain/case.ts';
import type { NewAuditEvent } from '../adapters/db/audit-log.ts';
import type { AppDeps } from './deps.ts';

/**
 * A request's or breach's clocks come from its regimes; an obligation's one clock from its definition (e.g. 10
 * business days from the notice being sent — none until it is).
 */
export function caseDeadlines(
  deps: Pick<AppDeps, 'config' | 'calendar' | 'workflows'>, c: Case, pauses: readonly Pause[], now: Date,
): Deadline[] {
  const { org, clocks } = deps.config;
  const own = deps.workflows.get(c.workflow)?.clock;
  const asOf = dateInZone(now, org.timezone);
  if (own) {
    const from = own.from === 'received' ? c.receivedAt : c.clockFrom;
    if (!from) return [];
    return [computeDeadline({
      regime: 'contract', receivedAt: from, zone: org.timezone, calendar: deps.calendar, pauses, asOf,
      settings: { ...clocks, contractDays: own.days, contractUnit: own.unit },
    })];
  }
  const extension = c.extension?.sentOn ? { noticeSentOn: c.extension.sentOn, reasons: c.extension.reasons } : null;
  return c.regimes.map((regime) => computeDeadline({
    regime, receivedAt: c.receivedAt, zone: org.timezone, calendar: deps.calendar, pauses, awareAt: c.awareAt,
    extension, asOf, settings: clocks,
  }));
}

/** The case with its governing deadline set, and one audit event per computed clock. */
export function withDeadlines(c: Case, deadlines: Deadline[], actor: string, now: Date): { case: Case; audit: NewAuditEvent[] } {
  const governing = governingDeadline(deadlines);
  const audit = deadlines.map((d) => ({
    caseId: c.id, type: 'DeadlineComputed', actor, at: now,
    data: {
      regime: d.regime, rule: d.rule, inputs: d.inputs, received: d.received, rawDue: d.rawDue, due: d.due,
      extendedDue: d.extendedDue, extended: d.extended, dueAt: d.dueAt.toISOString(), pausedDays: d.pausedDays,
      governing: d === governing,
    },
  }));
  return {
    case: { ...c, governingRegime: governing?.regime ?? null, governingDueAt: governing?.dueAt ?? null },
    audit,
  };
}
