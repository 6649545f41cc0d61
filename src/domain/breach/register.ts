/**
 * The breach register (GDPR Art. 33(5)): every reported incident — including those found not to be a breach or not
 * notifiable — with its facts, effects, remedial action, decisions, reasons, who decided and when, and each
 * notification phase. One row per incident; the columns are documented here and in the README. Pure.
 */
import { stringify } from 'csv-stringify/sync';
import type { BreachRecord } from './breach-record.ts';

export interface RegisterNotification {
  audience: 'authority' | 'customer' | 'subjects' | 'public';
  customer: string | null;
  phase: string;
  at: Date;
  reference: string | null;
  lateReasons: string | null;
  by: string;
}

export interface RegisterEntry {
  number: string;
  role: string;
  state: string;
  reportedAt: Date;
  detectedAt: Date | null;
  awareAt: Date | null;
  dueAt: Date | null;
  closedAt: Date | null;
  outcome: string | null;
  record: BreachRecord;
  customers: string[];
  notifications: RegisterNotification[];
  subjectsNotified: { sent: number; pending: number; failed: number };
}

/** Column → what it holds. The order is the CSV's. */
export const REGISTER_COLUMNS = {
  case: 'case number (BRE-YYYY-NNNN)',
  role: 'controller or processor',
  state: 'workflow state (reported, assessed, notified, not_notifiable, closed)',
  reported_at: 'when the report reached the desk (UTC, ISO 8601)',
  detected_at: 'when the incident was detected',
  aware_at: 'when the organisation became aware — the 72-hour clock runs from here',
  aware_rationale: 'why that instant is the awareness',
  due_at: 'awareness + 72 h (authority, or the customer under the DPA)',
  description: 'what happened',
  nature: 'nature of the breach (confidentiality, integrity, availability)',
  subject_categories: 'categories of data subjects (; separated)',
  subjects_approx: 'approximate number of data subjects',
  record_categories: 'categories of personal data records (; separated)',
  records_approx: 'approximate number of records',
  consequences: 'likely consequences (effects)',
  measures: 'measures taken or proposed, including mitigation (; separated)',
  contained: 'contained at report: yes, no, unknown',
  risk: 'assessed risk: none, risk, high',
  risk_reasons: 'reasons for the risk assessment',
  risk_decided_by: 'who assessed',
  risk_decided_at: 'when',
  decision: 'not_a_breach, not_notifiable, or empty',
  decision_reasons: 'reasons for that decision',
  decision_by: 'who decided',
  decision_at: 'when',
  authority_phases: 'authority notifications: phase@instant ref=… (; separated)',
  authority_late_reasons: 'reasons for a notification later than 72 h',
  customers: 'customers affected (processor role)',
  customer_alerts: 'customer alerts: customer phase@instant (; separated)',
  subjects_decision: 'Art. 34: communicate, or exempt',
  subjects_ground: 'Art. 34(3) exemption ground: a, b or c',
  subjects_reasons: 'reasons for the Art. 34 decision',
  subjects_decided_by: 'who decided',
  public_communication: 'text of the public communication (ground c)',
  subjects_notified: 'notices to data subjects: sent/pending/failed',
  remedial_action: 'remedial action (the outcome at closure)',
  closed_at: 'when the entry was closed',
} as const;
export type RegisterColumn = keyof typeof REGISTER_COLUMNS;

const iso = (d: Date | null | undefined) => d?.toISOString() ?? '';
const join = (xs: readonly string[] | undefined) => (xs ?? []).join('; ');

export function registerRow(e: RegisterEntry): Record<RegisterColumn, string> {
  const { facts: f, assessment: a, decision: d, subjects: s } = e.record;
  const phases = (aud: RegisterNotification['audience']) => e.notifications.filter((n) => n.audience === aud);
  return {
    case: e.number,
    role: e.role,
    state: e.state,
    reported_at: iso(e.reportedAt),
    detected_at: iso(e.detectedAt),
    aware_at: iso(e.awareAt),
    aware_rationale: e.record.awareRationale ?? '',
    due_at: iso(e.dueAt),
    description: f.description ?? '',
    nature: f.nature ?? '',
    subject_categories: join(f.subjectCategories),
    subjects_approx: f.subjectsApprox ?? '',
    record_categories: join(f.recordCategories),
    records_approx: f.recordsApprox ?? '',
    consequences: f.consequences ?? '',
    measures: join(f.measures),
    contained: f.contained ?? '',
    risk: a?.risk ?? '',
    risk_reasons: a?.reasons ?? '',
    risk_decided_by: a?.by ?? '',
    risk_decided_at: a?.at ?? '',
    decision: d?.kind ?? '',
    decision_reasons: d?.reasons ?? '',
    decision_by: d?.by ?? '',
    decision_at: d?.at ?? '',
    authority_phases: join(
      phases('authority').map((n) => `${n.phase}@${iso(n.at)}${n.reference ? ` ref=${n.reference}` : ''} by ${n.by}`),
    ),
    authority_late_reasons: join(
      phases('authority')
        .map((n) => n.lateReasons ?? '')
        .filter(Boolean),
    ),
    customers: join(e.customers),
    customer_alerts: join(phases('customer').map((n) => `${n.customer} ${n.phase}@${iso(n.at)}`)),
    subjects_decision: s?.decision ?? '',
    subjects_ground: s?.ground ?? '',
    subjects_reasons: s?.reasons ?? '',
    subjects_decided_by: s ? `${s.by} ${s.at}` : '',
    public_communication: s?.publicText ?? '',
    subjects_notified: `${e.subjectsNotified.sent}/${e.subjectsNotified.pending}/${e.subjectsNotified.failed}`,
    remedial_action: e.record.remedial ?? e.outcome ?? '',
    closed_at: iso(e.closedAt),
  };
}

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading apostrophe
 * (OWASP CSV injection).
 */
export function escapeFormula(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export function registerCsv(entries: readonly RegisterEntry[]): string {
  const columns = Object.keys(REGISTER_COLUMNS) as RegisterColumn[];
  const rows = entries.map((e) => {
    const r = registerRow(e);
    return columns.map((c) => escapeFormula(r[c]));
  });
  return stringify(rows, { header: true, columns, record_delimiter: 'windows', quoted_match: /[";\n]/ });
}

/** The JSON export: the same rows, plus the notifications in full. */
export function registerJson(entries: readonly RegisterEntry[]): string {
  return JSON.stringify(
    entries.map((e) => ({
      ...registerRow(e),
      notifications: e.notifications.map((n) => ({ ...n, at: n.at.toISOString() })),
    })),
    null,
    2,
  );
}
