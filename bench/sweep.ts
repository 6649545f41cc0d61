/**
 * bench/sweep: whether the reminder sweep follows the due rows, not the table size — the time to find and claim
 * D = 1,000 due reminders with 10,000 and with 1,000,000 cases (10 % open), as a ratio measured in the same run —
 * and how late reminders are queued under load at the production cadence (a sweep every 30 s).
 *
 * - Databases: the desk built as the tests build it (test/support/desk.ts) on a fresh SQLite file, and on a fresh
 *   PostgreSQL schema when reachable (BENCH_DATABASE_URL / TEST_DATABASE_URL / postgres://postgres@127.0.0.1:5432/test).
 * - Population (timed, not part of any ratio): bulk INSERTs straight into `cases`, `case_deadlines` (open cases) and
 *   `reminders` (500 rows per statement on SQLite, 1,000 on PostgreSQL), not through openCase. Every open case is a
 *   GDPR request received in the last 26 days (a fifth of them extended), its clock computed by the real deadline
 *   engine and its reminders planned by the real planner (src/domain/reminders.ts): those whose time has passed are
 *   `sent`, the others `planned` at REMINDER_TIME over the next ~3 months. A closed case keeps the reminders that
 *   fired before it closed (`sent`, a drafted reply's `dpo-5wd` `suppressed`); the later ones were dropped.
 *   D open cases each get one reminder that came due in the last 5 minutes. PostgreSQL is ANALYZEd afterwards
 *   (what autovacuum does shortly after a bulk load); SQLite is not (the desk never runs ANALYZE).
 * - Claim: `claimDueReminders(db, dialect, now, 1000)` — median of REPS runs, the claimed rows put back to `planned`
 *   between runs (outside the timing); the query plans of the statement and of its inner SELECT are printed.
 *   Then one full `sweepReminders(deps, now)` (re-checks every case, writes outbox rows, audit, follow-ups).
 * - Lateness (largest size only), in virtual time with a sweep every 30 s; each sweep's real duration is added to
 *   virtual time (queued = the sweep's start + its duration), and a sweep longer than 30 s delays the next one:
 *   (a) BENCH_SWEEP_BURST reminders (default 20,000) firing uniformly over 10 minutes;
 *   (b) the next morning at REMINDER_TIME: every reminder the population planned for that instant, at once;
 *   (c) after 5 days of downtime, one overdue-daily reminder on each of up to 4,000 open cases: the passes it takes
 *   and what is still due after them, against (c0) the same reminders on an ordinary morning (same run).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CompiledQuery, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult,
  type UnknownRow,
} from 'kysely';
import { admin, collectGarbage, envInt, fixed, int, postgresReachable, seconds, table } from './lib.ts';
import type { Dialect, Executor } from '../src/adapters/db/database.ts';
import { claimDueReminders } from '../src/adapters/db/reminder-repository.ts';
import type { AppDeps } from '../src/app/deps.ts';
import { sweepReminders, SWEEP_PASS_LIMIT } from '../src/app/sweep-reminders.ts';
import type { Desk } from '../src/main.ts';
import { computeDeadline } from '../src/domain/deadlines/clocks.ts';
import type { Deadline } from '../src/domain/deadlines/deadline.ts';
import { addDays, dateInZone, startOfDayInstant, type LocalDate } from '../src/domain/local-date.ts';
import { atTime, planReminders, type PlannedReminder } from '../src/domain/reminders.ts';
import { LANGUAGES, REQUEST_TYPES } from '../src/domain/vocabulary.ts';
import { testDesk, virtualClock, type VirtualClock } from '../test/support/desk.ts';

const SMALL = 10_000;
const DEFAULT_LARGE = 1_000_000;
/** One case in OPEN_EVERY is open (10 %). */
const OPEN_EVERY = 10;
/** Due reminders at `NOW`, each on its own open case. */
const D = 1_000;
const CLAIM_LIMIT = 1_000;
const REPS = 7;
const TICK_MS = 30_000;
const WINDOW_MS = 10 * 60_000;
const DEFAULT_BURST = 20_000;
/** A Tuesday, 15:00 in Europe/Berlin: after the day's REMINDER_TIME. */
const NOW = new Date('2026-03-10T14:00:00.000Z');
const DAY_MS = 86_400_000;
/** Cases per population chunk (one transaction). */
const CHUNK = 20_000;
/** Owners: Slack user ids of the agents; one open case in ten has nobody yet (its reminders go to triage). */
const AGENTS = 40;


const pad = (n: number, w: number) => String(n).padStart(w, '0');
const caseId = (i: number) => `case-${pad(i, 8)}`;
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (sorted: readonly number[], q: number) => sorted.length
  ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : NaN;
const ms = (n: number, digits = 1) => `${fixed(n, digits)} ms`;

// ---------------------------------------------------------------------------------------------------------------
// Bulk inserts: one statement per batch, SQL text cached per (table, rows)

const CASE_COLUMNS = [
  'id', 'number', 'source_key', 'kind', 'state', 'request_types', 'regimes', 'role', 'owner', 'language', 'channel',
  'received_at', 'received_date', 'detected_at', 'aware_at', 'governing_regime', 'governing_due_at',
  'identity_verified_at', 'extension_reasons', 'extension_requested_at', 'extension_sent_on', 'legal_hold',
  'delivery_failures', 'outcome', 'closed_at', 'created_at', 'updated_at', 'version',
] as const;
const REMINDER_COLUMNS = [
  'id', 'case_id', 'rule_id', 'occurrence', 'recipients', 'fire_at', 'state', 'pending', 'outcome', 'snoozed_until',
  'acknowledged_by', 'acknowledged_at', 'sent_at', 'created_at',
] as const;
const DEADLINE_COLUMNS = [
  'case_id', 'regime', 'rule', 'inputs', 'received_date', 'raw_due', 'due', 'extended_due', 'extended',
  'acknowledge_by', 'opt_out_by', 'due_at', 'holidays', 'paused_days', 'paused_since', 'steps', 'computed_at',
] as const;

type Row = (string | number | null)[];

const sqlCache = new Map<string, string>();

function insertSql(dialect: Dialect, tableName: string, columns: readonly string[], rows: number): string {
  const key = `${dialect}:${tableName}:${rows}`;
  let text = sqlCache.get(key);
  if (!text) {
    let p = 0;
    const group = () => `(${columns.map(() => (dialect === 'postgres' ? `$${++p}` : '?')).join(', ')})`;
    text = `INSERT INTO ${tableName} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, group).join(', ')}`;
    sqlCache.set(key, text);
  }
  return text;
}

async function bulkInsert(db: Executor, dialect: Dialect, batch: number, tableName: string, columns: readonly string[], rows: readonly Row[]) {
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    await db.executeQuery(CompiledQuery.raw(insertSql(dialect, tableName, columns, part.length), part.flat()));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The population

interface Clock {
  receivedAt: Date;
  deadline: Deadline;
  plan: PlannedReminder[];
}

interface Population {
  cases: number;
  open: number;
  reminders: number;
  planned: number;
  deadlines: number;
  ms: number;
}

/** Clocks and plans per receipt date (and extension): the real engine, computed once per distinct input. */
function clockFactory(deps: AppDeps) {
  const zone = deps.config.org.timezone;
  const cache = new Map<string, Clock>();
  return (received: LocalDate, extended: boolean): Clock => {
    const key = `${received}:${extended}`;
    let c = cache.get(key);
    if (!c) {
      const receivedAt = new Date(startOfDayInstant(received, zone).getTime() + 8 * 3_600_000);
      const deadline = computeDeadline({
        regime: 'gdpr', receivedAt, zone, calendar: deps.calendar, pauses: [],
        extension: extended ? { noticeSentOn: addDays(received, 5), reasons: 'complexity and number of requests' } : null,
        asOf: dateInZone(NOW, zone), settings: deps.config.clocks,
      });
      const plan = planReminders({
        workflow: deps.workflows.request, case: { state: 'in_progress', regimes: ['gdpr'], awareAt: null, closedAt: null },
        deadlines: [deadline], calendar: deps.calendar, zone, reminderTime: deps.config.reminderTime, now: receivedAt,
      });
      cache.set(key, (c = { receivedAt, deadline, plan }));
    }
    return c;
  };
}

/** Facts of open case j (the j-th open one; global index j × OPEN_EVERY). */
function openFacts(j: number, today: LocalDate, clockOf: ReturnType<typeof clockFactory>) {
  const daysAgo = j % 26; // GDPR one month: every open case is still within its period
  const received = addDays(today, -daysAgo);
  const extended = daysAgo >= 7 && j % 5 === 0;
  return { received, extended, clock: clockOf(received, extended) };
}

const CLOSED_STATES = ['answered', 'answered', 'answered', 'answered', 'answered', 'answered', 'answered', 'answered', 'refused', 'withdrawn'];
const TYPE_SETS = [...REQUEST_TYPES.map((t) => [t]), ['access', 'portability'], ['erasure', 'objection'], ['access']];

function caseRow(i: number, o: {
  state: string; receivedAt: number; received: LocalDate; deadline: Deadline; owner: string | null; extended: boolean;
  closedAt: number | null; outcome: string | null; run: string;
}): Row {
  const channel = i % 5 === 4 ? 'slack' : i % 17 === 0 ? 'form' : 'mail';
  const created = o.receivedAt + 2_000;
  return [
    caseId(i), `DSR-${o.received.slice(0, 4)}-${pad(i + 1, 7)}`, channel === 'mail' ? `<${i}.${o.run}@mail.example.net>` : null,
    'request', o.state, JSON.stringify(TYPE_SETS[i % TYPE_SETS.length]), '["gdpr"]', 'controller', o.owner,
    LANGUAGES[i % LANGUAGES.length]!, channel, o.receivedAt, o.received, null, null, 'gdpr', o.deadline.dueAt.getTime(),
    o.state === 'received' ? null : o.receivedAt + DAY_MS,
    o.extended ? 'complexity and number of requests' : null, o.extended ? o.receivedAt + 4 * DAY_MS : null,
    o.extended ? addDays(o.received, 5) : null, 0, 0, o.outcome, o.closedAt, created, o.closedAt ?? created, 1,
  ];
}

function deadlineRow(id: string, d: Deadline, computedAt: number): Row {
  return [
    id, d.regime, d.rule, JSON.stringify(d.inputs), d.received, d.rawDue, d.due, d.extendedDue, d.extended ? 1 : 0,
    d.acknowledgeBy, d.optOutBy, d.dueAt.getTime(), d.holidays, d.pausedDays, d.pausedSince, JSON.stringify(d.steps), computedAt,
  ];
}

async function populate(desk: Desk, n: number, batch: number): Promise<Population> {
  const { deps } = desk;
  const { db, dialect } = deps.database;
  const zone = deps.config.org.timezone;
  const today = dateInZone(NOW, zone);
  const clockOf = clockFactory(deps);
  const run = randomBytes(3).toString('hex');
  const open = Math.ceil(n / OPEN_EVERY);
  if (open < D) throw new Error(`${int(n)} cases have ${int(open)} open ones, fewer than the ${int(D)} due reminders`);
  const stride = Math.floor(open / D);
  const out: Population = { cases: 0, open: 0, reminders: 0, planned: 0, deadlines: 0, ms: 0 };
  const t0 = performance.now();
  for (let from = 0; from < n; from += CHUNK) {
    const cases: Row[] = [];
    const reminders: Row[] = [];
    const deadlines: Row[] = [];
    for (let i = from; i < Math.min(n, from + CHUNK); i++) {
      const id = caseId(i);
      if (i % OPEN_EVERY === 0) {
        const j = i / OPEN_EVERY;
        const { received, extended, clock } = openFacts(j, today, clockOf);
        const receivedAt = clock.receivedAt.getTime() + (i % 300) * 60_000;
        const owner = Math.floor(j / 7) % 10 === 9 ? null : `U0AGENT${pad((j * 37 + Math.floor(j / 100)) % AGENTS, 2)}`;
        cases.push(caseRow(i, { state: j % 3 === 0 ? 'received' : 'in_progress', receivedAt, received, deadline: clock.deadline, owner, extended, closedAt: null, outcome: null, run }));
        deadlines.push(deadlineRow(id, clock.deadline, receivedAt));
        const dueRank = j % stride === 0 ? j / stride : -1;
        let madeDue = !(dueRank >= 0 && dueRank < D);
        clock.plan.forEach((p, k) => {
          let fire = p.fireAt.getTime();
          const sent = fire <= NOW.getTime();
          if (!sent && !madeDue) {
            fire = NOW.getTime() - (D - dueRank) * 300; // came due in the last 5 minutes
            madeDue = true;
          }
          reminders.push([
            `rem-${pad(i, 8)}-${k}`, id, p.ruleId, p.occurrence, JSON.stringify(p.recipient), fire, sent ? 'sent' : 'planned',
            0, null, null, null, null, sent ? fire + 5_000 : null, receivedAt,
          ]);
          if (!sent) out.planned++;
        });
        if (!madeDue) throw new Error(`open case ${j} has no planned reminder to make due`);
        out.open++;
      } else {
        const daysAgo = 30 + ((i * 7919) % 1065); // closed: received up to ~3 years ago
        const received = addDays(today, -daysAgo);
        const clock = clockOf(received, false);
        const receivedAt = clock.receivedAt.getTime() + (i % 300) * 60_000;
        const closedAt = receivedAt + (5 + (i % 24)) * DAY_MS + 3 * 3_600_000;
        const state = CLOSED_STATES[i % CLOSED_STATES.length]!;
        const outcome = state === 'answered' ? 'answered: information provided' : state === 'refused' ? 'refused: manifestly unfounded' : 'withdrawn by the data subject';
        cases.push(caseRow(i, { state, receivedAt, received, deadline: clock.deadline, owner: `U0AGENT${pad(i % AGENTS, 2)}`, extended: false, closedAt, outcome, run }));
        clock.plan.forEach((p, k) => {
          const fire = p.fireAt.getTime();
          if (fire >= closedAt) return; // dropped when the case closed
          const suppressed = p.ruleId === 'dpo-5wd' && i % 2 === 0;
          reminders.push([
            `rem-${pad(i, 8)}-${k}`, id, p.ruleId, p.occurrence, JSON.stringify(p.recipient), fire,
            suppressed ? 'suppressed' : 'sent', 0, suppressed ? 'reply_drafted' : null, null, null, null,
            suppressed ? null : fire + 5_000, receivedAt,
          ]);
        });
      }
    }
    await db.transaction().execute(async (trx) => {
      await bulkInsert(trx, dialect, batch, 'cases', CASE_COLUMNS, cases);
      await bulkInsert(trx, dialect, batch, 'case_deadlines', DEADLINE_COLUMNS, deadlines);
      await bulkInsert(trx, dialect, batch, 'reminders', REMINDER_COLUMNS, reminders);
    });
    out.cases += cases.length;
    out.reminders += reminders.length;
    out.deadlines += deadlines.length;
  }
  if (dialect === 'postgres') await db.executeQuery(CompiledQuery.raw('ANALYZE'));
  out.ms = performance.now() - t0;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The claim

/** Records the last query a Kysely instance built, to compile it again for EXPLAIN. */
class CaptureQuery implements KyselyPlugin {
  last: PluginTransformQueryArgs | null = null;
  transformQuery(args: PluginTransformQueryArgs) {
    this.last = args;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

async function requeue(db: Executor, ids: readonly string[]) {
  for (let i = 0; i < ids.length; i += 500) {
    await db.updateTable('reminders').set({ state: 'planned' }).where('id', 'in', ids.slice(i, i + 500)).execute();
  }
}

interface ClaimResult {
  medianMs: number;
  minMs: number;
  maxMs: number;
  claimed: number;
  plans: string[];
}

async function explain(desk: Desk, compiled: CompiledQuery, label: string): Promise<string[]> {
  const { db, dialect } = desk.deps.database;
  if (dialect === 'sqlite') {
    const r = await db.executeQuery(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
    return [`${label}:`, ...(r.rows as { detail: string }[]).map((x) => `  ${x.detail}`)];
  }
  // PostgreSQL: EXPLAIN ANALYZE executes the statement, so in a transaction that is rolled back.
  const lines: string[] = [`${label} (EXPLAIN ANALYZE, rolled back):`];
  await db.transaction().execute(async (trx) => {
    const r = await trx.executeQuery(CompiledQuery.raw(`EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) ${compiled.sql}`, [...compiled.parameters]));
    for (const x of r.rows as Record<string, string>[]) lines.push(`  ${x['QUERY PLAN']}`);
    throw new RollbackExplain();
  }).catch((e) => { if (!(e instanceof RollbackExplain)) throw e; });
  return lines;
}

class RollbackExplain extends Error {}

async function measureClaim(desk: Desk, withPlans: boolean): Promise<ClaimResult> {
  const { db, dialect } = desk.deps.database;
  const times: number[] = [];
  let claimed = 0;
  const capture = new CaptureQuery();
  for (let rep = -1; rep < REPS; rep++) {
    collectGarbage();
    const t = performance.now();
    const rows = await claimDueReminders(rep < 0 ? db.withPlugin(capture) : db, dialect, NOW, CLAIM_LIMIT);
    const took = performance.now() - t;
    if (rep >= 0) times.push(took); // rep -1: warm-up (and the captured statement)
    claimed = rows.length;
    if (claimed !== D) throw new Error(`claimed ${claimed} reminders, expected ${D}`);
    await requeue(db, rows.map((r) => r.id));
  }
  const plans: string[] = [];
  if (withPlans && capture.last) {
    const stmt = db.getExecutor().compileQuery(capture.last.node, capture.last.queryId);
    plans.push(`claim statement: ${stmt.sql}`);
    plans.push(...await explain(desk, stmt, 'plan of the claim statement'));
    // The inner SELECT on its own, as claimDueReminders builds it (without the row lock).
    const inner = db.selectFrom('reminders').select('id').where('state', '=', 'planned').where('fire_at', '<=', NOW.getTime())
      .orderBy('fire_at').limit(CLAIM_LIMIT).compile();
    plans.push(...await explain(desk, inner, 'plan of its inner SELECT'));
    // A check the sweep makes per dpo-5wd reminder (hasDraftedReply): the outbox has no index on case_id.
    const drafted = db.selectFrom('outbox').select('id').where('case_id', '=', caseId(0))
      .where((eb) => eb.or([eb('kind', 'like', 'answer-%'), eb('kind', '=', 'refusal')])).compile();
    plans.push(...await explain(desk, drafted, 'plan of the sweep\'s hasDraftedReply outbox lookup'));
  }
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), claimed, plans };
}

// ---------------------------------------------------------------------------------------------------------------
// Lateness under load, in virtual time

interface Lateness {
  label: string;
  reminders: number;
  queued: number;
  sweeps: number;
  p50: number;
  p99: number;
  max: number;
  maxSweepMs: number;
  maxClaimed: number;
  totalSweepMs: number;
  error: string | null;
}

/**
 * Sweeps at T, T + 30 s, … (a sweep that outlasts its tick delays the next one by the excess) until every watched
 * reminder is queued; lateness = (sweep start + its real duration) − fire_at.
 */
async function simulate(desk: Desk, clock: VirtualClock, label: string, start: number, watched: Map<string, number>): Promise<Lateness> {
  const { db } = desk.deps.database;
  const late: number[] = [];
  const pending = new Map(watched);
  let prevEnd = -Infinity;
  let maxSweepMs = 0;
  let totalSweepMs = 0;
  let maxClaimed = 0;
  let sweeps = 0;
  let error: string | null = null;
  const lastFire = Math.max(...watched.values());
  for (let k = 0; pending.size > 0; k++) {
    const at = Math.max(start + k * TICK_MS, prevEnd);
    if (at > lastFire + 20 * TICK_MS) {
      error = `${int(pending.size)} reminders still not queued 10 minutes after the last one was due`;
      break;
    }
    clock.set(new Date(at));
    collectGarbage();
    // As the scheduled job does (run-task.ts): sweep again within the tick while a pass came back full.
    let elapsed = 0;
    for (let full = true; full && !error;) {
      const t = performance.now();
      try {
        const r = await sweepReminders(desk.deps, desk.deps.clock(), { limit: SWEEP_PASS_LIMIT });
        maxClaimed = Math.max(maxClaimed, r.claimed);
        full = r.claimed === SWEEP_PASS_LIMIT;
      } catch (e) {
        error = `sweep at +${seconds(at - start)} failed: ${(e as Error).message}`;
        break; // it fails the same way at every tick: those reminders never go out
      }
      const took = performance.now() - t;
      sweeps++;
      maxSweepMs = Math.max(maxSweepMs, took);
      totalSweepMs += took;
      elapsed += took;
      clock.set(new Date(at + elapsed));
      const ids = [...pending.keys()];
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db.selectFrom('reminders').select('id').where('id', 'in', ids.slice(i, i + 500))
          .where('state', '<>', 'planned').execute();
        for (const { id } of rows) {
          late.push(at + elapsed - pending.get(id)!);
          pending.delete(id);
        }
      }
    }
    if (error) break;
    prevEnd = at + elapsed;
  }
  late.sort((a, b) => a - b);
  return {
    label, reminders: watched.size, queued: late.length, sweeps, p50: quantile(late, 0.5), p99: quantile(late, 0.99),
    max: late.length ? late[late.length - 1]! : NaN, maxSweepMs, maxClaimed, totalSweepMs, error,
  };
}

const BURST_RULES: [string, 'owner' | 'dpo'][] = [
  ['owner-10wd', 'owner'], ['owner-5wd', 'owner'], ['owner-2wd', 'owner'], ['owner-1wd', 'owner'],
  ['dpo-5wd', 'dpo'], ['dpo-at-deadline', 'dpo'], ['extend-or-not', 'owner'],
];

/** (a) R reminders firing uniformly over 10 minutes, one per open case (round-robin when there are fewer). */
async function uniformBurst(desk: Desk, clock: VirtualClock, n: number, burst: number, batch: number): Promise<Lateness> {
  const { deps } = desk;
  const { db, dialect } = deps.database;
  const today = dateInZone(NOW, deps.config.org.timezone);
  const clockOf = clockFactory(deps);
  const open = Math.ceil(n / OPEN_EVERY);
  const t0 = NOW.getTime() + 60_000;
  const rows: Row[] = [];
  const watched = new Map<string, number>();
  for (let k = 0; k < burst; k++) {
    const j = (k * 7 + 3) % open;
    const round = Math.floor(k / open);
    const [rule, recipient] = BURST_RULES[k % BURST_RULES.length]!;
    const { clock: c } = openFacts(j, today, clockOf);
    const due = c.deadline.extendedDue && c.deadline.extended ? c.deadline.extendedDue : c.deadline.due;
    const id = `burst-${pad(k, 6)}`;
    const fire = t0 + Math.floor((k * WINDOW_MS) / burst);
    // A re-planned clock (e.g. after a pause): a new anchor date, so a new key beside the case's other reminders.
    rows.push([id, caseId(j * OPEN_EVERY), rule, `gdpr:${addDays(due, 1 + round)}:${recipient}`, JSON.stringify(recipient), fire, 'planned', 0, null, null, null, null, null, NOW.getTime()]);
    watched.set(id, fire);
  }
  await bulkInsert(db, dialect, batch, 'reminders', REMINDER_COLUMNS, rows);
  return simulate(desk, clock, `(a) ${int(burst)} reminders uniformly over 10 min`, t0, watched);
}

/**
 * (b) The next working morning at REMINDER_TIME, when the population's own reminders fire at one instant. Rows
 * still planned before it (escalation steps and follow-ups of the sweeps above) are set aside first.
 */
async function morning(desk: Desk, clock: VirtualClock): Promise<Lateness & { setAside: number; at: string }> {
  const { deps } = desk;
  const { db } = deps.database;
  const zone = deps.config.org.timezone;
  let day = addDays(dateInZone(NOW, zone), 1);
  while ([6, 7].includes(new Date(`${day}T12:00:00Z`).getUTCDay() || 7)) day = addDays(day, 1);
  const at = atTime(day, zone, deps.config.reminderTime).getTime();
  const aside = await db.updateTable('reminders').set({ state: 'suppressed', outcome: 'bench: set aside' })
    .where('state', '=', 'planned').where('fire_at', '<', at).executeTakeFirst();
  // The population's rows (a sweep's follow-ups due then are swept too, but not watched).
  const due = await db.selectFrom('reminders').select(['id', 'fire_at']).where('state', '=', 'planned').where('fire_at', '=', at)
    .where('id', '>=', 'rem-').where('id', '<', 'rem.').execute();
  const watched = new Map(due.map((r) => [r.id, Number(r.fire_at)]));
  const res = await simulate(desk, clock, `(b) ${int(watched.size)} reminders at ${day} ${deps.config.reminderTime} (one instant)`, at, watched);
  return { ...res, setAside: Number(aside.numUpdatedRows), at: `${day} ${deps.config.reminderTime}` };
}

/** Overdue cases of scenario (c): at most this many open cases (4,000 in the issue's measurement). */
const DOWNTIME_CASES = 4_000;

export interface CatchUp {
  label: string;
  cases: number;
  passes: number;
  claimed: number;
  ms: number;
  /** Reminders still due right after the catch-up (a sweep that catches up one missed day per pass leaves them). */
  dueAfter: number;
}

/**
 * (c) After downtime: one `overdue-daily` owner reminder on each of up to 4,000 open cases, last fired `days` days
 * before the desk comes back (0: an ordinary morning, the baseline). Passes are swept at that instant as the
 * scheduled job does (again while a pass came back full) until nothing is due; each must fire once, for today,
 * and plan its next firing from today — so the catch-up clears in as many passes as an ordinary morning.
 */
async function catchUp(desk: Desk, clock: VirtualClock, batch: number, n: number, days: number, at: number): Promise<CatchUp> {
  const { deps } = desk;
  const { db, dialect } = deps.database;
  const zone = deps.config.org.timezone;
  await db.updateTable('reminders').set({ state: 'suppressed', outcome: 'bench: set aside' })
    .where('state', '=', 'planned').where('fire_at', '<=', at).execute();
  const cases = Math.min(DOWNTIME_CASES, Math.ceil(n / OPEN_EVERY));
  const lastDay = addDays(dateInZone(new Date(at), zone), -days);
  const fire = atTime(lastDay, zone, deps.config.reminderTime).getTime();
  const rows: Row[] = [];
  for (let j = 0; j < cases; j++) {
    rows.push([`down-${days}-${pad(j, 6)}`, caseId(j * OPEN_EVERY), 'overdue-daily', `gdpr:2026-01-0${1 + (days % 9)}:${lastDay}:owner`,
      JSON.stringify('owner'), fire, 'planned', 0, null, null, null, null, null, NOW.getTime()]);
  }
  await bulkInsert(db, dialect, batch, 'reminders', REMINDER_COLUMNS, rows);
  clock.set(new Date(at));
  collectGarbage();
  let passes = 0;
  let claimed = 0;
  const t = performance.now();
  for (let full = true; full && passes < 50;) {
    const r = await sweepReminders(deps, clock(), { limit: SWEEP_PASS_LIMIT });
    passes++;
    claimed += r.claimed;
    full = r.claimed > 0; // sweep until nothing is due: a catch-up that plans into the past shows as extra passes
  }
  const ms = performance.now() - t;
  const left = await db.selectFrom('reminders').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '=', 'planned').where('fire_at', '<=', at).executeTakeFirstOrThrow();
  return {
    label: days ? `(c) after ${days} days down: ${int(cases)} overdue cases` : `(c0) an ordinary morning: ${int(cases)} overdue cases`,
    cases, passes: passes - 1, claimed, ms, dueAfter: Number(left.n),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Targets

interface SizeResult {
  n: number;
  population: Population;
  claim: ClaimResult;
  sweepMs: number;
  sweepClaimed: number;
  sweepMessages: number;
  lateness: Lateness[];
  morningNote: string | null;
  catchUps: CatchUp[];
}

interface TargetResult {
  label: string;
  sizes: SizeResult[];
}

async function measureSize(url: string, n: number, batch: number, large: boolean, burst: number): Promise<SizeResult> {
  const clock = virtualClock(NOW);
  const desk = testDesk(url, { env: { LOG_LEVEL: 'silent' }, clock });
  try {
    await desk.migrate();
    const population = await populate(desk, n, batch);
    const claim = await measureClaim(desk, large);
    collectGarbage();
    const t = performance.now();
    const report = await sweepReminders(desk.deps, desk.deps.clock());
    const sweepMs = performance.now() - t;
    if (report.claimed !== D) throw new Error(`the full sweep claimed ${report.claimed} reminders, expected ${D}`);
    const lateness: Lateness[] = [];
    let morningNote: string | null = null;
    const catchUps: CatchUp[] = [];
    if (large) {
      lateness.push(await uniformBurst(desk, clock, n, burst, batch));
      const m = await morning(desk, clock);
      lateness.push(m);
      morningNote = `(b): ${int(m.setAside)} rows still planned before ${m.at} (escalations and follow-ups of the sweeps above) set aside first`;
      const back = clock().getTime() + 7 * DAY_MS;
      catchUps.push(await catchUp(desk, clock, batch, n, 0, back));
      catchUps.push(await catchUp(desk, clock, batch, n, 5, back + DAY_MS));
    }
    return {
      n, population, claim, sweepMs, sweepClaimed: report.claimed, sweepMessages: report.messages.length, lateness, morningNote, catchUps,
    };
  } finally {
    await desk.close();
  }
}

async function sqliteTarget(sizes: number[], burst: number): Promise<TargetResult> {
  const out: TargetResult = { label: 'SQLite', sizes: [] };
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'dpo-desk-bench-sweep-'));
    try {
      out.sizes.push(await measureSize(`sqlite:${join(dir, 'bench.sqlite')}`, n, 500, n === sizes[sizes.length - 1], burst));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}



async function postgresTarget(baseUrl: string, sizes: number[], burst: number): Promise<TargetResult> {
  const out: TargetResult = { label: 'PostgreSQL', sizes: [] };
  for (const n of sizes) {
    const schema = `bench_${randomBytes(6).toString('hex')}`;
    await admin(baseUrl, (c) => c.query(`CREATE SCHEMA ${schema}`));
    try {
      const url = `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      out.sizes.push(await measureSize(url, n, 1_000, n === sizes[sizes.length - 1], burst));
    } finally {
      await admin(baseUrl, (c) => c.query(`DROP SCHEMA ${schema} CASCADE`));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The benchmark

function report(t: TargetResult): string[] {
  const [small, large] = [t.sizes[0]!, t.sizes[t.sizes.length - 1]!];
  const ratio = large.claim.medianMs / small.claim.medianMs;
  const lines = [
    `  ${t.label}`,
    table([
      ['cases (open)', 'reminders (planned)', 'populate', 'rows/s', `claim ${int(D)} (median of ${REPS}, min–max)`, 'full sweep (messages)'],
      ...t.sizes.map((s) => [
        `${int(s.population.cases)} (${int(s.population.open)})`,
        `${int(s.population.reminders)} (${int(s.population.planned)})`,
        seconds(s.population.ms),
        int((s.population.cases + s.population.reminders + s.population.deadlines) / (s.population.ms / 1000)),
        `${ms(s.claim.medianMs, 2)} (${fixed(s.claim.minMs, 2)}–${fixed(s.claim.maxMs, 2)})`,
        `${ms(s.sweepMs, 0)} (${int(s.sweepMessages)})`,
      ]),
    ], '    '),
    `    ratio claim(${int(large.n)}) / claim(${int(small.n)}): ${fixed(ratio, 2)} (target ≤ 2) — ${ratio <= 2 ? 'met' : 'NOT met'}; `
      + `full sweep of ${int(D)} due reminders: ${fixed(large.sweepMs / small.sweepMs, 2)}×`,
  ];
  if (large.lateness.length) {
    lines.push(`    lateness at a 30 s cadence on ${int(large.n)} cases (queued = sweep start + its real duration):`);
    lines.push(table([
      ['scenario', 'queued', 'sweeps', 'p50', 'p99', 'max', 'max sweep (claimed)', 'target ≤ 60 s'],
      ...large.lateness.map((l) => [
        l.label, `${int(l.queued)}/${int(l.reminders)}`, String(l.sweeps), seconds(l.p50), seconds(l.p99), seconds(l.max),
        `${seconds(l.maxSweepMs)} (${int(l.maxClaimed)})`, l.error ? 'FAILED' : l.max <= 60_000 ? 'met' : 'NOT met',
      ]),
    ], '      '));
    if (large.morningNote) lines.push(`      ${large.morningNote}`);
    for (const l of large.lateness) if (l.error) lines.push(`      ERROR ${l.label}: ${l.error}`);
  }
  if (large.catchUps.length === 2) {
    const [base, down] = large.catchUps as [CatchUp, CatchUp];
    lines.push('    catch-up after downtime (sweep passes at one instant until nothing is due):');
    lines.push(table([
      ['scenario', 'passes', 'claimed', 'time', 'still due after', 'target: 1 pass, 0 due'],
      ...large.catchUps.map((c) => [c.label, String(c.passes), int(c.claimed), ms(c.ms, 0), int(c.dueAfter),
        c.passes <= 1 && c.dueAfter === 0 ? 'met' : 'NOT met']),
    ], '      '));
    lines.push(`      ratio time (c) / (c0): ${fixed(down.ms / base.ms, 2)}; passes ${down.passes} vs ${base.passes}`);
  }
  lines.push(...large.claim.plans.map((p) => `    ${p}`));
  lines.push('    note: the outbox starts empty here; in production it holds a few rows per case, and the sweep looks it up by'
    + ' case_id (hasDraftedReply, per dpo-5wd reminder) with the plan above — sweep times here are lower bounds');
  return lines;
}

export async function run(): Promise<void> {
  const large = envInt('BENCH_SWEEP_CASES', DEFAULT_LARGE);
  const burst = envInt('BENCH_SWEEP_BURST', DEFAULT_BURST);
  const sizes = large > SMALL ? [SMALL, large] : [large];
  console.log(`sweep: claim ${int(D)} due reminders among ${sizes.map(int).join(' and ')} cases (${100 / OPEN_EVERY} % open), `
    + `then lateness at a 30 s cadence (virtual time) on ${int(large)}`);
  const pgTarget = await postgresReachable();
  const results: TargetResult[] = [await sqliteTarget(sizes, burst)];
  const skipped: string[] = [];
  if ('url' in pgTarget) results.push(await postgresTarget(pgTarget.url, sizes, burst));
  else skipped.push(`PostgreSQL skipped: ${pgTarget.skip}`);
  console.log([
    ...results.flatMap((r) => [...report(r), '']),
    ...skipped.map((s) => `  ${s}`),
  ].join('\n').trimEnd());
}
