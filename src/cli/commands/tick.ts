/** `dpo-desk tick`: one reminder sweep at an instant (and delivery of what it queued); --dry-run previews a policy. */
import { Command, InvalidArgumentError } from 'commander';
import { drainOutbox } from '../../app/deliver-outbox.ts';
import { sweepReminders, type ReminderMessage } from '../../app/sweep-reminders.ts';
import { withDesk, type CliIo } from '../context.ts';

function instant(v: string): Date {
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) throw new InvalidArgumentError('expected an ISO instant, e.g. 2026-04-01T07:00:00Z.');
  return new Date(t);
}

export function tickCommand(io: CliIo): Command {
  return new Command('tick')
    .description('run one reminder sweep at an instant and deliver what it queued')
    .option('--now <instant>', 'the instant to sweep at (default: now)', instant)
    .option('--dry-run', 'print what would be sent and to whom; send nothing, change nothing')
    .option('--json', 'one JSON object')
    .action(async (opts: { now?: Date; dryRun?: boolean; json?: boolean }) => {
      const now = opts.now ?? new Date();
      await withDesk(io, async (desk) => {
        const report = await sweepReminders(desk.deps, now, { dryRun: opts.dryRun });
        const delivered = opts.dryRun ? 0 : (await drainOutbox(desk.deps, desk.transports, { owner: 'cli-tick' })).sent;
        const messages = report.messages.map(describe);
        if (opts.json) {
          io.out(JSON.stringify({ now: now.toISOString(), dry_run: Boolean(opts.dryRun), claimed: report.claimed, suppressed: report.suppressed, messages, delivered }));
          return;
        }
        io.out(`${opts.dryRun ? 'Would send' : 'Queued'} ${messages.length} message(s) at ${now.toISOString()} (${report.claimed} reminder(s) due, ${report.suppressed} suppressed)${opts.dryRun ? '' : `; ${delivered} delivered`}:`);
        for (const m of messages) io.out(`  ${m.channel} ${m.to}: ${m.items.map((i) => `${i.case} [${i.rules.join(', ')}]${i.overdue ? ' OVERDUE' : ''}`).join('; ')}`);
      }, { clock: () => now });
    });
}

function describe(m: ReminderMessage) {
  const to = m.target.channel === 'mail' ? m.target.to : 'user' in m.target.to ? `user ${m.target.to.user}` : `#${m.target.to.channel}`;
  const items = m.items.map((i) => ({
    case: i.caseNumber, clock: i.clock, rules: i.rules, due: i.dueDate, overdue: i.overdue,
  }));
  return { channel: m.target.channel, to, items };
}
