/**
 * The reminder sweep: claims due reminder rows, re-checks each against its case (closed, answered, paused,
 * acknowledged ones are suppressed), and writes outbox rows — one message per recipient per sweep listing all
 * their items, one consolidated item per case (a catch-up after downtime is one alert, never a burst). A row
 * counts as sent only when every delivery of it was confirmed (see on-sent). A dry run rolls back.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { appendAudit, type NewAuditEvent } from '../adapters/db/audit-log.ts';
import { findCaseById, getDeadlines } from '../adapters/db/case-repository.ts';
import { beat } from '../adapters/db/heartbeat-repository.ts';
import { enqueue, type NewOutboxRow } from '../adapters/db/outbox-repository.ts';
import {
  chainAcknowledged, claimDueReminders, planRows, settleReminder, settleReminders, type NewReminder, type ReminderRow,
} from '../adapters/db/reminder-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Case } from '../domain/case.ts';
import type { Deadline } from '../domain/deadlines/deadline.ts';
import { lastDayBefore } from '../domain/local-date.ts';
import { describeReminder, type ReminderWords } from '../domain/reminder-words.ts';
import { escalationAt, nextDaily, suppression } from '../domain/reminders.ts';
import type { AppDeps } from './deps.ts';
import { resolveTargets, targetKey, type Target } from './reminder-targets.ts';

/**
 * One item of a reminder message: one case and one of its clocks, in human words — the clock's name, that clock's
 * date, what is due — and the one thing to do. Facts only, never the data subject's identity or content.
 */
export interface ReminderItem extends ReminderWords {
  caseNumber: string;
  kind: string;
  state: string;
  /** The rules that came due for this case, clock and recipient in this sweep (data for tools; never shown). */
  rules: string[];
}

export interface ReminderMessage {
  target: Target;
  items: ReminderItem[];
  reminderIds: string[];
}

export interface SweepReport {
  claimed: number;
  suppressed: number;
  messages: ReminderMessage[];
}

class DryRunRollback extends Error {
  constructor(readonly report: SweepReport) {
    super('dry run');
  }
}

/** Reminders one sweep pass claims at most (one short write transaction); a scheduled sweep repeats passes, yielding
 * the event loop between them, while they come back full. */
export const SWEEP_PASS_LIMIT = 200;

export async function sweepReminders(deps: AppDeps, now: Date, opts: { dryRun?: boolean; limit?: number } = {}): Promise<SweepReport> {
  try {
    return await deps.database.db.transaction().execute(async (trx) => {
      const report = await sweepIn(trx, deps, now, opts.limit ?? SWEEP_PASS_LIMIT);
      if (opts.dryRun) throw new DryRunRollback(report);
      await beat(trx, 'sweep', 'sweep', now); // for /ready and /metrics: the sweep is alive
      return report;
    });
  } catch (e) {
    if (e instanceof DryRunRollback) return e.report;
    throw e;
  }
}

async function sweepIn(trx: Transaction<DB>, deps: AppDeps, now: Date, limit: number): Promise<SweepReport> {
  const rows = await claimDueReminders(trx, deps.database.dialect, now, limit);
  const report: SweepReport = { claimed: rows.length, suppressed: 0, messages: [] };
  const groups = new Map<string, ReminderMessage>();
  const targetsPerRow = new Map<string, number>();
  const audit: NewAuditEvent[] = [];
  const later: NewReminder[] = [];
  // Every escalation of this pass counts from the same `now`: one working-hours walk per delay, not one per row
  // (each walks the calendar day by day in the org's zone, and a pass holds the event loop for all of them).
  const escalations = new Map<string, Date>();
  const escalationFor = (after: string) => {
    let at = escalations.get(after);
    if (!at) {
      at = escalationAt(after, now, deps.calendar, deps.config.org.timezone, deps.config.workingHours);
      escalations.set(after, at);
    }
    return at;
  };
  for (const [caseId, caseRows] of groupBy(rows, (r) => r.caseId)) {
    const c = await findCaseById(trx, caseId);
    if (!c) continue;
    const deadlines = await getDeadlines(trx, c.id);
    const live = [];
    for (const row of caseRows) {
      const why = await suppressedBecause(trx, deps, c, row);
      if (why) {
        await settleReminder(trx, row.id, { state: 'suppressed', outcome: why });
        report.suppressed++;
      } else live.push(row);
    }
    for (const row of live) {
      const targets = resolveTargets(row.recipient, c.owner, deps.config);
      targetsPerRow.set(row.id, targets.length);
      const words = wordsOf(deps, c, row, deadlines, now);
      for (const target of targets) addItem(groups, target, c, row, words);
      later.push(...followUps(deps, c, row, now, escalationFor));
    }
    if (live.length) audit.push({ caseId: c.id, type: 'RemindersQueued', actor: 'system', at: now, data: { rules: live.map((r) => `${r.ruleId}→${r.recipient}`) } });
  }
  // Rows alike settle in one statement: hundreds of single-row updates were most of a pass's garbage.
  const byTargets = groupBy([...targetsPerRow], ([, n]) => n);
  for (const [n, rowsOfN] of byTargets) {
    const settled = n
      ? { state: 'queued' as const, pending: n } : { state: 'suppressed' as const, outcome: 'nobody to tell' };
    await settleReminders(trx, rowsOfN.map(([id]) => id), settled);
  }
  report.messages = [...groups.values()];
  await enqueue(trx, report.messages.map((m) => outboxRow(deps, m, now)), now);
  await planRows(trx, later, now);
  await appendAudit(trx, audit);
  return report;
}

async function suppressedBecause(trx: Transaction<DB>, deps: AppDeps, c: Case, row: ReminderRow): Promise<string | null> {
  const wf = deps.workflows.of(c);
  const [base, step] = row.ruleId.split('>');
  const rule = wf.reminders.find((r) => r.id === base);
  const anchor = row.occurrence.replace(/:[a-z]+$/, '');
  const acknowledged = step ? await chainAcknowledged(trx, c.id, base!, anchor) : false;
  const replyDrafted = rule?.unless === 'reply_drafted' ? await hasDraftedReply(trx, c.id) : false;
  return suppression(step ? undefined : rule, wf, c, { replyDrafted, acknowledged });
}

/** A reply is drafted once an answer or refusal mail exists for the case, or someone marked it drafted. */
async function hasDraftedReply(trx: Transaction<DB>, caseId: string): Promise<boolean> {
  const mail = await trx.selectFrom('outbox').select('id').where('case_id', '=', caseId)
    .where((eb) => eb.or([eb('kind', 'like', 'answer-%'), eb('kind', '=', 'refusal')])).executeTakeFirst();
  if (mail) return true;
  const marked = await trx.selectFrom('audit_events').select('seq').where('case_id', '=', caseId).where('type', '=', 'ReplyDrafted').executeTakeFirst();
  return Boolean(marked);
}

function wordsOf(deps: AppDeps, c: Case, row: ReminderRow, deadlines: readonly Deadline[], now: Date): ReminderWords {
  const [base, step] = row.ruleId.split('>');
  return describeReminder({
    rule: deps.workflows.of(c).reminders.find((r) => r.id === base), occurrence: row.occurrence,
    escalated: Boolean(step), recipient: row.recipient, case: c, deadlines, now, zone: deps.config.org.timezone,
    calendar: deps.calendar,
    contract: { days: deps.config.clocks.contractDays, unit: deps.config.clocks.contractUnit },
  });
}

/** Adds a row to its recipient's message: one item per case and clock; the latest rule's words win. */
function addItem(
  groups: Map<string, ReminderMessage>, target: Target, c: Case, row: ReminderRow, words: ReminderWords,
) {
  const key = targetKey(target);
  let msg = groups.get(key);
  if (!msg) groups.set(key, (msg = { target, items: [], reminderIds: [] }));
  msg.reminderIds.push(row.id);
  let item = msg.items.find((i) => i.caseNumber === c.number && i.regime === words.regime);
  if (!item) msg.items.push((item = { caseNumber: c.number, kind: c.kind, state: c.state, ...words, rules: [] }));
  else if (words.extension || item.extension) {
    // The extension prompt is its own question: both are said (the DPO's one button is then Extend…).
    if (!item.what.includes(words.what)) {
      item.what = words.extension ? `${item.what} ${words.what}` : `${words.what} ${item.what}`;
    }
    if (words.action === 'extend') item.action = 'extend';
    item.extension = true;
  } else item.what = words.what; // rows come oldest first: the latest reminder's words say where the case stands
  if (!item.rules.includes(row.ruleId)) item.rules.push(row.ruleId);
}

/**
 * What a fired reminder sets in motion: the next daily overdue occurrence (from today: after downtime one message,
 * not one per missed day) and, for a reminder to the owner the definition marks `escalate`, the escalation steps —
 * after working hours of the organisation's calendar (`4wh`) or every hour (`4h`, breaches).
 */
function followUps(
  deps: AppDeps, c: Case, row: ReminderRow, now: Date, escalationFor: (after: string) => Date,
): NewReminder[] {
  const wf = deps.workflows.of(c);
  const rule = wf.reminders.find((r) => r.id === row.ruleId);
  const zone = deps.config.org.timezone;
  const out: NewReminder[] = [];
  if (rule?.repeat === 'daily') {
    const day = /:(\d{4}-\d{2}-\d{2}):[a-z]+$/.exec(row.occurrence)?.[1] ?? lastDayBefore(now, zone);
    const next = nextDaily(row.occurrence, day, zone, deps.config.reminderTime, now);
    out.push({ id: deps.newId(), caseId: c.id, ruleId: row.ruleId, recipient: row.recipient, ...next });
  }
  if (rule?.escalate && row.recipient === 'owner') {
    const anchor = row.occurrence.replace(/:owner$/, '');
    for (const step of wf.escalation) {
      out.push({
        id: deps.newId(), caseId: c.id, ruleId: `${row.ruleId}>${step.to}`, recipient: step.to,
        occurrence: `${anchor}:${step.to}`,
        fireAt: escalationFor(step.after),
      });
    }
  }
  return out;
}

function outboxRow(deps: AppDeps, m: ReminderMessage, now: Date): NewOutboxRow {
  const ids = [...m.reminderIds].sort();
  // The same rows at the same moment are the same message; a snoozed row firing again is a new one.
  const key = createHash('sha256').update(`${ids.join(',')}@${now.toISOString()}`).digest('hex').slice(0, 24);
  const payload = { to: m.target.to, items: m.items, reminderIds: ids };
  const caseId = null; // one message may list several cases
  if (m.target.channel === 'slack') {
    return { id: deps.newId(), caseId, channel: 'slack', kind: 'reminder', idempotencyKey: `reminder:${key}:${targetKey(m.target)}`, payload, onSent: 'RemindersSent', notBefore: now };
  }
  const id = deps.newId();
  const mail = deps.mail?.composeInternal({
    template: 'reminder', to: m.target.to, caseNumber: m.items.length === 1 ? m.items[0]!.caseNumber : null, outboxId: id,
    context: {
      items: m.items.map(({ caseNumber, clock, due, overdue, what }) => ({ caseNumber, clock, due, overdue, what })),
    },
  });
  return {
    id, caseId, channel: 'mail', kind: 'reminder', idempotencyKey: `reminder:${key}:${targetKey(m.target)}`,
    payload: { ...(mail ?? { to: m.target.to }), ...payload }, onSent: 'RemindersSent', notBefore: now,
  };
}

function groupBy<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) {
    const k = key(x);
    const group = m.get(k);
    if (group) group.push(x);
    else m.set(k, [x]);
  }
  return m;
}
