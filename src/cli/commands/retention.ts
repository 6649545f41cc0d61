/**
 * Issue 12's operator commands: `purge`, `case hold|release`, `export requests` and `report`. The operator acts as
 * the DPO. Everything printed is case facts and figures — never a data subject's identity or words.
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { placeHold, releaseHold } from '../../app/legal-hold.ts';
import { buildMonthlyReport, sendMonthlyReport } from '../../app/monthly-report.ts';
import { purge } from '../../app/purge.ts';
import { requestLog, requestLogCsv } from '../../app/request-log.ts';
import { normaliseCaseNumber } from '../../domain/case.ts';
import { isLocalDate } from '../../domain/local-date.ts';
import { reportLines } from '../../domain/reports/monthly-report.ts';
import { renderOnTimeChart } from '../../adapters/charts/on-time-chart.ts';
import { CliError, withDesk, type CliIo } from '../context.ts';

const OPERATOR = { id: 'cli', role: 'dpo' as const };

function date(v: string): string {
  if (!isLocalDate(v)) throw new InvalidArgumentError('expected a date YYYY-MM-DD.');
  return v;
}

function month(v: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(v)) throw new InvalidArgumentError('expected a month YYYY-MM.');
  return v;
}

function instant(v: string): Date {
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) {
    throw new InvalidArgumentError('expected an ISO instant, e.g. 2026-04-01T07:00:00Z.');
  }
  return new Date(t);
}

function count(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of cases, at least 1.');
  return n;
}

export function purgeCommand(io: CliIo): Command {
  return new Command('purge')
    .description('apply the retention periods: redact content, delete expired case facts (never an open or held case)')
    .option('--dry-run', 'list what would be redacted or deleted; change nothing')
    .option('--json', 'one JSON object')
    .option('--progress-every <n>', 'print progress on stderr every N cases', count, 100)
    .option('--now <instant>', 'the instant to apply the periods at (default: now)', instant)
    .action(async (opts: { dryRun?: boolean; json?: boolean; progressEvery: number; now?: Date }) => {
      await withDesk(io, async (desk) => {
        const r = await purge(desk.deps, opts.now ?? desk.deps.clock(), {
          dryRun: opts.dryRun, progressEvery: opts.progressEvery,
          onProgress: (p) => io.err(`purge: ${p.done} case(s) done (${p.redacted} redacted, ${p.deleted} deleted)`),
        });
        if (opts.json) {
          const json = {
            now: r.now, dry_run: r.dryRun, redacted: r.redacted, deleted: r.deleted, held: r.held, caseless_mails: r.caselessMails,
          };
          return io.out(JSON.stringify(json));
        }
        const list = (xs: string[]) => `${xs.length} case(s)${xs.length ? `: ${xs.join(', ')}` : ''}`;
        io.out(`${r.dryRun ? 'Would redact' : 'Redacted'} the content of ${list(r.redacted)}.`);
        io.out(`${r.dryRun ? 'Would delete' : 'Deleted'} the facts of ${list(r.deleted)}.`);
        if (r.held) io.out(`${r.held} closed case(s) kept whole by a legal hold.`);
        if (r.caselessMails) io.out(`${r.dryRun ? 'Would empty' : 'Emptied'} ${r.caselessMails} stored mail(s) of no case.`);
      });
    });
}

/** `case hold` / `case release`, added to the `case` command. */
export function holdCommands(io: CliIo): Command[] {
  const one = (name: 'hold' | 'release') => new Command(name)
    .description(name === 'hold'
      ? 'place a legal hold: nothing of the case is purged (as the DPO; audited)'
      : 'lift a legal hold (as the DPO; audited)')
    .argument('<number>', 'case number, e.g. DSR-2026-0001')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .action(async function (this: Command, raw: string, opts: { reason: string }) {
      const number = normaliseCaseNumber(raw);
      if (!number) this.error(`"${raw}" is not a case number (like DSR-2026-0001).`, { exitCode: 2 });
      await withDesk(io, async (desk) => {
        const input = { caseNumber: number!, actor: OPERATOR, reason: opts.reason };
        const set = name === 'hold' ? placeHold : releaseHold;
        const r = await set(desk.deps, input, desk.deps.clock());
        if (!r.ok) throw new CliError(r.message, r.code === 'REASON_REQUIRED' ? 2 : 1);
        io.out(name === 'hold' ? `${r.case.number} is under legal hold.` : `${r.case.number}: legal hold released.`);
      });
    });
  return [one('hold'), one('release')];
}

export function exportCommand(io: CliIo): Command {
  const cmd = new Command('export').description('exports for auditors (no personal data)');
  cmd.command('requests')
    .description('the request log: number, workflow, types, regimes, received, due, extended, paused days, answered, '
      + 'outcome, on time')
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('--from <date>', 'received on or after (YYYY-MM-DD)', date)
    .option('--to <date>', 'received on or before (YYYY-MM-DD)', date)
    .option('--now <instant>', 'the instant "on time: pending" is judged at (default: now)', instant)
    .action(async (opts: { format: 'csv' | 'json'; from?: string; to?: string; now?: Date }) => {
      if (opts.from && opts.to && opts.from > opts.to) throw new CliError('--from is after --to.', 2);
      await withDesk(io, async (desk) => {
        const rows = await requestLog(desk.deps, { from: opts.from, to: opts.to }, opts.now ?? desk.deps.clock());
        io.out(opts.format === 'json' ? JSON.stringify(rows) : requestLogCsv(rows).trimEnd());
      });
    });
  return cmd;
}

export function reportCommand(io: CliIo): Command {
  return new Command('report')
    .description('the managers\' monthly report: volumes, on-time shares, median days, extensions, pauses, overdue, '
      + 'breaches')
    .requiredOption('--month <YYYY-MM>', 'the month', month)
    .option('--json', 'one JSON object')
    .option('--chart <file.png>', 'also write the on-time chart (12 months) as a PNG file')
    .option('--send', 'queue it to the managers (Slack managers channel and MANAGERS_EMAIL) through the outbox')
    .option('--now <instant>', 'the instant "overdue now" is counted at (default: now)', instant)
    .action(async (opts: { month: string; json?: boolean; chart?: string; send?: boolean; now?: Date }) => {
      await withDesk(io, async (desk) => {
        const now = opts.now ?? desk.deps.clock();
        const r = await (opts.send ? sendMonthlyReport : buildMonthlyReport)(desk.deps, opts.month, now);
        if (opts.chart) {
          const points = r.onTimeByMonth.map((m) => ({ month: m.month, share: m.percent, closed: m.closed }));
          const title = `Requests answered on time, 12 months to ${opts.month}`;
          writeFileSync(opts.chart, await renderOnTimeChart(points, title));
        }
        if (opts.json) return io.out(JSON.stringify(r));
        for (const line of reportLines(r, desk.deps.config.org.name)) io.out(line);
        if (opts.send) io.out('Queued for the managers (delivered by the running desk\'s outbox).');
      });
    });
}
