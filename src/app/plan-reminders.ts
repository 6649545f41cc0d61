/** Keeping a case's planned reminders in step with its clocks and state (called wherever they change). */
import type { Transaction } from 'kysely';
import { dropReminders, futurePlanned, planRows, setFireAt } from '../adapters/db/reminder-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Case } from '../domain/case.ts';
import type { Deadline } from '../domain/deadlines/deadline.ts';
import { planReminders } from '../domain/reminders.ts';
import type { AppDeps } from './deps.ts';

/**
 * Re-plans future reminders: new keys are inserted, moved ones re-timed, ones no longer wanted dropped.
 * Rows already due are left for the sweep (it re-checks them), so a re-plan never swallows a due reminder.
 */
export async function replanReminders(
  trx: Transaction<DB>, deps: AppDeps, c: Case, deadlines: readonly Deadline[], now: Date, opts: { fresh?: boolean } = {},
): Promise<void> {
  const plan = planReminders({
    workflow: deps.workflows.of(c), case: c, deadlines, calendar: deps.calendar, zone: deps.config.org.timezone,
    reminderTime: deps.config.reminderTime, now,
  });
  const wanted = new Map(plan.map((p) => [`${p.ruleId}|${p.occurrence}`, p]));
  const existing = opts.fresh ? [] : await futurePlanned(trx, c.id, now); // a new case has none yet
  const stale: string[] = [];
  for (const row of existing) {
    if (row.ruleId.includes('>')) continue; // escalation steps live by their own clock
    const p = wanted.get(`${row.ruleId}|${row.occurrence}`);
    if (!p) stale.push(row.id);
    else if (p.fireAt.getTime() !== row.fireAt.getTime()) await setFireAt(trx, row.id, p.fireAt);
  }
  await dropReminders(trx, stale);
  await planRows(trx, plan.map((p) => ({ id: deps.newId(), caseId: c.id, ...p })), now);
}
