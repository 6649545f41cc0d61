/**
 * The managers' monthly report: figures from the case facts (domain/reports/monthly-report.ts), a PNG chart of the
 * on-time share over twelve months, and delivery through the outbox — a Slack upload to the managers channel and
 * a mail to MANAGERS_EMAIL with the chart attached. Queued once per month (idempotency keys).
 */
import { DateTime } from 'luxon';
import { renderOnTimeChart } from '../adapters/charts/on-time-chart.ts';
import { enqueue, type NewOutboxRow } from '../adapters/db/outbox-repository.ts';
import { breachFacts, requestFacts } from '../adapters/db/report-repository.ts';
import { signedMessageId } from '../domain/message-id.ts';
import {
  monthlyReport, reportLines, type MonthlyReport, type ReportRequest,
} from '../domain/reports/monthly-report.ts';
import type { AppDeps } from './deps.ts';

export async function buildMonthlyReport(deps: AppDeps, month: string, now: Date): Promise<MonthlyReport> {
  const zone = deps.config.org.timezone;
  const start = DateTime.fromISO(`${month}-01`, { zone });
  const windowStart = start.minus({ months: 11 }).toJSDate();
  const facts = await requestFacts(deps.database.db, {
    receivedFrom: `${month}-01`, receivedTo: start.endOf('month').toISODate()!, orActiveSince: windowStart,
  });
  const requests: ReportRequest[] = facts.map((f) => {
    const statutory = f.deadlines.filter((d) => d.regime !== 'contract');
    const legal = statutory.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0];
    return {
      types: f.types, regimes: f.regimes, receivedDate: f.receivedDate, closedAt: f.closedAt,
      governingDueAt: f.governingDueAt, legalDueAt: legal?.dueAt ?? null,
      contractDueAt: f.deadlines.find((d) => d.regime === 'contract')?.dueAt ?? null,
      extended: f.extended, pausedDays: Math.max(0, ...f.deadlines.map((d) => d.pausedDays)),
    };
  });
  const breaches = await breachFacts(deps.database.db, start.toJSDate(), start.plus({ months: 1 }).toJSDate());
  return monthlyReport({ month, zone, now, requests, breaches });
}

/** The month before `now`'s month in the organisation's zone (what the scheduled job reports on). */
export function previousMonth(now: Date, zone: string): string {
  return DateTime.fromJSDate(now, { zone }).minus({ months: 1 }).toFormat('yyyy-MM');
}

export async function sendMonthlyReport(deps: AppDeps, month: string, now: Date): Promise<MonthlyReport> {
  const report = await buildMonthlyReport(deps, month, now);
  const { org, mail } = deps.config;
  const text = reportLines(report, org.name).join('\n');
  const points = report.onTimeByMonth.map((m) => ({ month: m.month, share: m.percent, closed: m.closed }));
  const png = Buffer.from(await renderOnTimeChart(points, `Requests answered on time, 12 months to ${month}`))
    .toString('base64');
  const filename = `dpo-desk-on-time-${month}.png`;
  const rows: NewOutboxRow[] = [{
    id: deps.newId(), caseId: null, channel: 'slack', kind: 'monthly-report', idempotencyKey: `report:${month}:slack`,
    payload: {
      to: { channel: 'managers' }, text, report,
      file: { filename, contentBase64: png, title: `On-time share ${month}` },
    },
    notBefore: now,
  }];
  for (const to of deps.config.managersEmail) {
    const id = deps.newId();
    const domain = mail.from.split('@')[1]!;
    rows.push({
      id, caseId: null, channel: 'mail', kind: 'monthly-report', idempotencyKey: `report:${month}:${to}`,
      notBefore: now,
      payload: {
        to, subject: `dpo-desk monthly report ${month}`, text: `${text}\n\nThe chart is attached.\n`,
        html: `<pre>${escapeHtml(text)}</pre>`,
        messageId: signedMessageId(mail.signingSecret, 'DPO-0000-0000', id, domain),
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        attachments: [{ filename, contentType: 'image/png', contentBase64: png }],
      },
    });
  }
  await deps.database.db.transaction().execute((trx) => enqueue(trx, rows, now));
  return report;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c]!);
