/** `dpo-desk deadline`: computes one legal clock from the command line and explains how each date was reached. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { computeDeadline } from '../../domain/deadlines/clocks.ts';
import type { Deadline, Pause } from '../../domain/deadlines/deadline.ts';
import { createWorkingCalendar, isKnownCalendarId } from '../../domain/deadlines/working-calendar.ts';
import { formatInZone, isLocalDate, isValidZone, startOfDayInstant } from '../../domain/local-date.ts';
import { REGIMES, type RegimeId } from '../../domain/vocabulary.ts';
import { loadConfig, type CliIo } from '../context.ts';

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function dateArg(v: string): string {
  if (!isLocalDate(v)) throw new InvalidArgumentError('expected a date YYYY-MM-DD.');
  return v;
}

function dateOrInstant(v: string): string {
  if (isLocalDate(v) || (INSTANT_RE.test(v) && !Number.isNaN(Date.parse(v)))) return v;
  throw new InvalidArgumentError('expected a date YYYY-MM-DD or an ISO instant such as 2026-03-27T10:00:00+01:00.');
}

function instantArg(v: string): string {
  if (INSTANT_RE.test(v) && !Number.isNaN(Date.parse(v))) return v;
  throw new InvalidArgumentError('expected an ISO instant with offset, e.g. 2026-03-27T10:00:00+01:00.');
}

function pauseArg(v: string, prev: Pause[] = []): Pause[] {
  const [askedOn, answeredOn] = v.split('..');
  if (!askedOn || !answeredOn || !isLocalDate(askedOn) || !isLocalDate(answeredOn) || answeredOn < askedOn) {
    throw new InvalidArgumentError('expected <question date>..<answer date>, e.g. 2026-03-03..2026-03-10.');
  }
  return [...prev, { reason: 'clarification', askedOn, answeredOn }];
}

function daysArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 365) throw new InvalidArgumentError('expected a whole number of days, 1–365.');
  return n;
}

interface DeadlineOpts {
  regime: RegimeId; received?: string; tz?: string; holidays?: string; pause?: Pause[]; idReceived?: string;
  contractDays?: number; contractUnit?: 'calendar' | 'business'; aware?: string; json?: boolean;
}

export function deadlineCommand(io: CliIo): Command {
  return new Command('deadline')
    .description('compute a legal deadline and explain how each date was reached')
    .addOption(new Option('--regime <regime>', 'which clock').choices(REGIMES).makeOptionMandatory())
    .option('--received <date|instant>', 'receipt: YYYY-MM-DD or an ISO instant (breach clocks: --aware alone will do)', dateOrInstant)
    .option('--tz <zone>', 'IANA time zone (default ORG_TIMEZONE)')
    .option('--holidays <calendar>', 'holiday calendar id or none (default ORG_HOLIDAYS)')
    .option('--pause <from..to>', 'a pause: question date..answer date (repeatable)', pauseArg)
    .option('--id-received <date>', 'uk-gdpr: date the requested identity information arrived', dateArg)
    .option('--contract-days <n>', 'contract: days promised (default CONTRACT_DAYS)', daysArg)
    .addOption(new Option('--contract-unit <unit>', 'contract: day unit (default CONTRACT_UNIT)').choices(['calendar', 'business']))
    .option('--aware <instant>', 'breach clocks: when the organisation became aware (default --received; enough alone)', instantArg)
    .option('--json', 'print one JSON object')
    .action(function (this: Command, opts: DeadlineOpts) {
      const config = loadConfig(io);
      const zone = opts.tz ?? config.org.timezone;
      const holidays = opts.holidays ?? config.org.holidays;
      if (!isValidZone(zone)) this.error(`error: --tz: unknown IANA time zone "${zone}"`, { exitCode: 2 });
      if (!isKnownCalendarId(holidays)) this.error(`error: --holidays: unknown calendar "${holidays}" (e.g. DE, DE-BY, GB-ENG, FR, none)`, { exitCode: 2 });
      // A breach clock runs from awareness (GDPR Art. 33(1)): --aware alone is enough; the report's receipt defaults to it.
      const breach = opts.regime.endsWith('-breach');
      const received = opts.received ?? (breach ? opts.aware : undefined);
      if (received === undefined) {
        this.error(breach ? 'error: give --aware <instant> (or --received) for a breach clock'
          : `error: required option '--received <date|instant>' not specified`, { exitCode: 2 });
      }
      const receivedAt = isLocalDate(received!) ? startOfDayInstant(received!, zone) : new Date(received!);
      const d = computeDeadline({
        regime: opts.regime, receivedAt, zone, calendar: createWorkingCalendar(holidays, opts.holidays ? [] : config.org.closures),
        pauses: opts.pause ?? [], idReceivedOn: opts.idReceived ?? null,
        awareAt: breach ? new Date(opts.aware ?? receivedAt) : null,
        settings: {
          ...config.clocks,
          ...(opts.contractDays ? { contractDays: opts.contractDays } : {}),
          ...(opts.contractUnit ? { contractUnit: opts.contractUnit } : {}),
        },
      });
      if (opts.json) io.out(JSON.stringify(deadlineJson(d)));
      else for (const line of explain(d, zone)) io.out(line);
    });
}

/** The JSON shape of `deadline --json` (snake_case, one object). */
export function deadlineJson(d: Deadline) {
  const breach = d.regime.endsWith('-breach');
  return {
    regime: d.regime, received: d.received, raw_due: d.rawDue, due: d.due, extended_due: d.extendedDue,
    acknowledge_by: d.acknowledgeBy, opt_out_by: d.optOutBy, due_at: breach ? d.dueAt.toISOString() : null,
    paused_days: d.pausedDays, rule: d.rule, holidays: d.holidays, steps: d.steps,
  };
}

function explain(d: Deadline, zone: string): string[] {
  const lines = [`${d.regime}: ${d.rule}`, `Calendar: ${d.holidays === 'none' ? 'weekends only (no holiday calendar configured)' : d.holidays}; time zone ${zone}`, ''];
  lines.push(...d.steps.map((s) => `  ${s}`), '');
  if (d.regime.endsWith('-breach')) lines.push(`Due: ${formatInZone(d.dueAt, zone)}  (${d.dueAt.toISOString()})`);
  else lines.push(`Due: ${d.due}`);
  if (d.extendedDue) lines.push(`If extended: ${d.extendedDue}`);
  if (d.acknowledgeBy) lines.push(`Acknowledge by: ${d.acknowledgeBy}`);
  lines.push('', 'dpo-desk computes deadlines from published rules; it is not legal advice.');
  return lines;
}
