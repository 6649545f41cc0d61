/** The clocks of one case, from its regimes and the organisation's settings. */
import { computeDeadline } from '../domain/deadlines/clocks.ts';
import { governingDeadline, type Deadline, type Pause } from '../domain/deadlines/deadline.ts';
import { dateInZone } from '../domain/local-date.ts';
import type { Case } from '../domain/case.ts';
import type { NewAuditEvent } from '../adapters/db/audit-log.ts';
import type { AppDeps } from './deps.ts';

export function caseDeadlines(deps: Pick<AppDeps, 'config' | 'calendar'>, c: Case, pauses: readonly Pause[], now: Date): Deadline[] {
  const { org, clocks } = deps.config;
  const extension = c.extension?.sentOn ? { noticeSentOn: c.extension.sentOn, reasons: c.extension.reasons } : null;
  return c.regimes.map((regime) => computeDeadline({
    regime, receivedAt: c.receivedAt, zone: org.timezone, calendar: deps.calendar, pauses, awareAt: c.awareAt,
    extension, asOf: dateInZone(now, org.timezone), settings: clocks,
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
