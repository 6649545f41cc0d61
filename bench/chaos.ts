/**
 * `npm run chaos` — nothing lost, nothing twice under kill -9. For each configuration (database × instances) it runs
 * real `dpo-desk start` processes against a private Dovecot (mail arrives by LMTP), an SMTP server (test/support/
 * smtp-sink) and a fake Slack Web API, and while CHAOS_MAILS request mails arrive over CHAOS_ARRIVAL_SECONDS it:
 * kills a random instance with SIGKILL at CHAOS_KILLS random moments (restarting it at once), restarts the IMAP
 * server once mid-intake, and answers SMTP with 451 for CHAOS_SMTP_4XX transactions. Then it waits until every mail
 * settled (or CHAOS_SETTLE_SECONDS passed) and counts, from what each party received: cases, acknowledgements at the
 * SMTP server (and duplicates), triage parent posts in Slack (and duplicates), quarantined mail, mail left in INBOX
 * after it became a case, `dpo-desk audit verify`, and the time from each kill to intake resuming.
 *
 * Sizes: CHAOS_MAILS (1000), CHAOS_KILLS (20), CHAOS_ARRIVAL_SECONDS (180), CHAOS_SETTLE_SECONDS (900),
 * CHAOS_CONFIGS (sqlite:1:sent,sqlite:2:sent,postgres:1:sent,postgres:2:sent; the third part `:sent` makes the SMTP
 * server file each mail in the Sent folder before it answers 250, as Gmail and Microsoft 365 do, with
 * MAIL_SENT_MAILBOX set: the case where a re-send after a crash can be checked; without it, e.g. `sqlite:1`, a
 * crash between the server's 250 and the record may send one acknowledgement twice, at most one per kill),
 * CHAOS_SMTP_4XX (20). `npm run chaos -- --small`: 200 mails, 5 kills, one instance on each database. Exit code 1
 * when a configuration lost or doubled anything beyond that.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import { openDatabase, type Database } from '../src/adapters/db/database.ts';
import { FakeSlack } from '../test/support/fake-slack.ts';
import {
  deliverLmtp, freePort, freshUser, imapOptions, startDovecot, type DovecotServer,
} from '../test/support/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../test/support/smtp-sink.ts';
import { generateMessages, loadTemplates } from './ingest.ts';
import { admin, DEFAULT_PG_URL, envInt, fixed, int, postgresReachable, table } from './lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'src', 'cli', 'main.ts');
const SECRET = 'chaos-signing-secret-0123456789';
const TRIAGE = 'C0TRIAGE';
const SENT = 'Sent';
const TRANSIENT_REASON = /locked|busy|ECONN|timeout|terminated/i;

interface Options {
  mails: number;
  kills: number;
  arrivalS: number;
  settleS: number;
  smtp4xx: number;
  /** `sent`: the SMTP server files each mail in the Sent folder before it says 250 (as Gmail does), and the desk
   * searches it before a re-send (MAIL_SENT_MAILBOX). */
  configs: { db: 'sqlite' | 'postgres'; instances: number; sent: boolean }[];
}

function options(): Options {
  const small = process.argv.includes('--small');
  // By default the SMTP server files what it accepts in Sent (as Gmail and Microsoft 365 do): the deployment where
  // the desk promises each mail once. Without `:sent` the promise is at least once (README, "What sent once means").
  const all = small ? 'sqlite:1:sent,postgres:1:sent' : 'sqlite:1:sent,sqlite:2:sent,postgres:1:sent,postgres:2:sent';
  const configs = (process.env.CHAOS_CONFIGS || all)
    .split(',').map((c) => {
      const [db, n, sent, ...rest] = c.trim().split(':');
      const known = (db === 'sqlite' || db === 'postgres') && /^[12]$/.test(n ?? '');
      if (!known || (sent ?? 'sent') !== 'sent' || rest.length) {
        throw new Error(`CHAOS_CONFIGS: expected e.g. sqlite:1,postgres:2,sqlite:1:sent, got ${c}`);
      }
      return { db, instances: Number(n), sent: sent === 'sent' } as const;
    });
  return {
    mails: envInt('CHAOS_MAILS', small ? 200 : 1_000),
    kills: process.env.CHAOS_KILLS === '0' ? 0 : envInt('CHAOS_KILLS', small ? 5 : 20),
    arrivalS: envInt('CHAOS_ARRIVAL_SECONDS', small ? 60 : 180),
    settleS: envInt('CHAOS_SETTLE_SECONDS', 900),
    smtp4xx: envInt('CHAOS_SMTP_4XX', 20),
    configs,
  };
}

interface Result {
  label: string;
  /** Sent filed: a duplicate acknowledgement is a failure. Otherwise at most one per kill (the mail in flight). */
  sent: boolean;
  mails: number;
  cases: number;
  acks: number;
  dupAcks: number;
  posts: number;
  dupPosts: number;
  quarantined: number;
  transientQuarantined: number;
  leftInInbox: number;
  audit: string;
  kills: number;
  imapRestarts: number;
  smtpAttempts: number;
  resumeS: number[];
  settledS: number | null;
}

// ── The desk processes ─────────────────────────────────────────────────────────────────────────────────────────

interface Instance { name: string; proc: ChildProcess | null; starts: number }

function runCli(args: string[], env: Record<string, string>, log: string): ChildProcess {
  const out = createWriteStream(log, { flags: 'a' });
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.pipe(out, { end: false });
  proc.stderr!.pipe(out, { end: false });
  proc.once('exit', () => out.end());
  return proc;
}

async function exitOf(proc: ChildProcess): Promise<number> {
  if (proc.exitCode !== null) return proc.exitCode;
  return new Promise((r) => proc.once('exit', (code) => r(code ?? 1)));
}

// ── One configuration ──────────────────────────────────────────────────────────────────────────────────────────

async function runConfig(
  o: Options, cfg: Options['configs'][number], dovecot: DovecotServer, pgBase: string | null,
): Promise<Result> {
  const label = `${cfg.db}, ${cfg.instances} instance${cfg.instances > 1 ? 's' : ''}${cfg.sent ? ', Sent filed' : ''}`;
  const dir = mkdtempSync(join(tmpdir(), 'dpo-desk-chaos-'));
  const user = freshUser('chaos');
  if (cfg.sent) await withImap(dovecot, user, (c) => c.mailboxCreate(SENT).then(() => {}));
  // A provider that files what it sends: the copy is in Sent before the desk hears 250 (a restarting IMAP server
  // makes it answer 451, and the desk tries again later).
  const fileInSent = (raw: Buffer) => withImap(dovecot, user, (c) => c.append(SENT, raw, ['\\Seen']).then(() => {}));
  const sink = await startSmtpSink(cfg.sent ? { beforeAccept: fileInSent } : {});
  const fake = await new FakeSlack().start();
  let databaseUrl: string;
  let dropSchema = async () => {};
  if (cfg.db === 'sqlite') {
    databaseUrl = `sqlite:${join(dir, 'desk.sqlite')}`;
  } else {
    const schema = `chaos_${randomBytes(5).toString('hex')}`;
    await admin(pgBase!, (c) => c.query(`CREATE SCHEMA ${schema}`));
    const options = encodeURIComponent(`-c search_path=${schema}`);
    databaseUrl = `${pgBase}${pgBase!.includes('?') ? '&' : '?'}options=${options}`;
    dropSchema = () => admin(pgBase!, (c) => c.query(`DROP SCHEMA ${schema} CASCADE`)).then(() => {});
  }
  const env = async (): Promise<Record<string, string>> => ({
    DATABASE_URL: databaseUrl, ORG_NAME: 'Example Org', DPO_EMAIL: 'dpo@example.com', LOG_LEVEL: 'warn',
    IMAP_HOST: dovecot.host, IMAP_PORT: String(dovecot.imapPort), IMAP_SECURE: 'false', IMAP_USER: user,
    IMAP_PASSWORD: dovecot.password,
    IMAP_POLL_SECONDS: '10', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), MAIL_FROM: 'privacy@example.com',
    MAIL_SIGNING_SECRET: 'chaos-mail-secret-123456', MAIL_RECEIVING_HOSTS: 'mx.example.com',
    SLACK_BOT_TOKEN: 'xoxb-chaos', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl,
    SLACK_TRIAGE_CHANNEL: TRIAGE,
    SLACK_DPOS: 'U0DPO', PORT: String(await freePort()), ...(cfg.sent ? { MAIL_SENT_MAILBOX: SENT } : {}),
  });
  const log = (name: string) => join(dir, `${name}.log`);
  if (await exitOf(runCli(['migrate'], await env(), log('migrate'))) !== 0) {
    throw new Error(`${label}: migrate failed (see ${log('migrate')})`);
  }
  const db: Database = openDatabase(databaseUrl);
  const instances: Instance[] = Array.from({ length: cfg.instances }, (_, i) => ({
    name: `desk-${i + 1}`, proc: null, starts: 0,
  }));
  const start = async (x: Instance) => { x.starts++; x.proc = runCli(['start'], await env(), log(x.name)); };
  for (const x of instances) await start(x);

  // Progress: settled inbox rows over time, to see when intake resumes after a kill.
  const progress: { t: number; settled: number }[] = [];
  const settledCount = async () => Number((await db.db.selectFrom('inbox_messages')
    .select((eb) => eb.fn.countAll<number>().as('n')).where('state', '!=', 'received').executeTakeFirstOrThrow()).n);
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      progress.push({ t: performance.now(), settled: await settledCount().catch(() => progress.at(-1)?.settled ?? 0) });
      await sleep(500);
    }
  })();

  // Arrival, with the faults on a schedule.
  const t0 = performance.now();
  const arrivalMs = o.arrivalS * 1000;
  const killAt = Array.from({ length: o.kills }, () => Math.random() * arrivalMs).sort((a, b) => a - b);
  const kills: number[] = [];
  const at = (ms: number) => sleep(Math.max(0, t0 + ms - performance.now()));
  let imapRestarts = 0;
  const faults = Promise.all([
    (async () => {
      for (const when of killAt) {
        await at(when);
        const x = instances[Math.floor(Math.random() * instances.length)]!;
        x.proc?.kill('SIGKILL');
        if (x.proc) await exitOf(x.proc);
        kills.push(performance.now());
        await start(x);
      }
    })(),
    (async () => { await at(0.4 * arrivalMs); await dovecot.restart(); imapRestarts++; })(),
    (async () => { await at(0.6 * arrivalMs); sink.failNext({ at: 'rcpt', code: 451, times: o.smtp4xx }); })(),
  ]);
  const mails = generateMessages(o.mails, loadTemplates());
  for (let i = 0; i < mails.length; i++) {
    const wait = t0 + (i * arrivalMs) / mails.length - performance.now();
    if (wait > 0) await sleep(wait);
    for (;;) { // the IMAP server may be restarting: LMTP waits for it, as a sending MTA would
      try { await deliverLmtp(dovecot, user, mails[i]!.raw); break; } catch { await sleep(500); }
    }
  }
  await faults;

  // Settle: every mail a settled inbox row, nothing left in INBOX, no mail or Slack row pending.
  let settledAt: number | null = null;
  const deadline = performance.now() + o.settleS * 1000;
  while (performance.now() < deadline) {
    const pendingOutbox = Number((await db.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'in', ['pending', 'sending']).where('channel', 'in', ['mail', 'slack'])
      .executeTakeFirstOrThrow()).n);
    if ((await settledCount()) >= o.mails && pendingOutbox === 0 && (await inboxCount(dovecot, user)) === 0) {
      settledAt = performance.now();
      break;
    }
    await sleep(2_000);
  }
  watching = false;
  await watcher;
  for (const x of instances) {
    x.proc?.kill('SIGTERM');
    if (x.proc) await exitOf(x.proc);
  }

  // What each party received.
  const requesters = new Set(mails.map((m) => /^From: .*<([^>]+)>/m.exec(m.raw.toString('latin1'))![1]!.toLowerCase()));
  const acks = sink.messages.filter((m) => m.envelope.to.some((t) => requesters.has(t.toLowerCase())));
  const perRecipient = count(acks.map((m) => m.envelope.to.join(',').toLowerCase()));
  const parents = fake.of('chat.postMessage', (c) => c.params.channel === TRIAGE && !c.params.thread_ts);
  const perKey = count(parents.map((c) => String(c.params.metadata?.event_payload?.key ?? c.params.text)));
  const inbox = await db.db.selectFrom('inbox_messages').select(['state', 'reason', 'case_id', 'dedupe_key']).execute();
  const quarantined = inbox.filter((r) => r.state === 'quarantined');
  const left = await leftInInbox(dovecot, user, new Set(inbox.filter((r) => r.case_id).map((r) => r.dedupe_key)));
  const audit = await exitOf(runCli(['audit', 'verify'], await env(), log('audit')));
  const cases = Number((await db.db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()).n);
  await db.close();
  await sink.close();
  await fake.stop();
  await dropSchema();
  const result: Result = {
    label, sent: cfg.sent, mails: o.mails, cases, acks: acks.length,
    dupAcks: [...perRecipient.values()].reduce((extra, n) => extra + n - 1, 0), // copies beyond the first
    posts: parents.length, dupPosts: [...perKey.values()].filter((n) => n > 1).length, quarantined: quarantined.length,
    transientQuarantined: quarantined.filter((r) => TRANSIENT_REASON.test(r.reason ?? '')).length,
    leftInInbox: left, audit: audit === 0 ? 'verified' : `FAILED (exit ${audit})`, kills: kills.length, imapRestarts,
    smtpAttempts: sink.attempts,
    resumeS: kills.map((k) => resumeAfter(progress, k)).filter((s): s is number => s !== null),
    settledS: settledAt === null ? null : (settledAt - t0) / 1000,
  };
  if (process.env.CHAOS_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  else console.log(`  ${label}: logs kept in ${dir}`);
  return result;
}

/** Seconds from a kill to the next settled message (null: nothing was left to settle). */
function resumeAfter(progress: { t: number; settled: number }[], kill: number): number | null {
  const before = [...progress].reverse().find((p) => p.t <= kill)?.settled ?? 0;
  const next = progress.find((p) => p.t > kill && p.settled > before);
  return next ? (next.t - kill) / 1000 : null;
}

async function withImap<T>(dovecot: DovecotServer, user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow(imapOptions(dovecot, user));
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => c.close());
  }
}

async function inboxCount(dovecot: DovecotServer, user: string): Promise<number> {
  return withImap(dovecot, user, async (c) => {
    const s = await c.status('INBOX', { messages: true });
    return s ? s.messages ?? 0 : -1;
  }).catch(() => -1);
}

/** Messages still in INBOX whose Message-ID belongs to an inbox row that became (or joined) a case. */
async function leftInInbox(dovecot: DovecotServer, user: string, caseKeys: Set<string>): Promise<number> {
  return withImap(dovecot, user, async (c) => {
    const lock = await c.getMailboxLock('INBOX');
    try {
      let n = 0;
      for await (const m of c.fetch('1:*', { envelope: true })) {
        const id = m.envelope?.messageId?.replace(/^<|>$/g, '').toLowerCase();
        if (id && caseKeys.has(`mid:${id}`)) n++;
      }
      return n;
    } finally {
      lock.release();
    }
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());

function report(results: Result[]): void {
  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! : NaN;
  };
  console.log(table([
    ['configuration', 'mails', 'cases', 'acks', 'dup acks', 'triage posts', 'dup posts', 'quarantined', '(transient)',
      'left in INBOX', 'audit', 'kills', 'IMAP restarts', 'SMTP tries', 'resume p50', 'resume max', 'settled after'],
    ...results.map((r) => [r.label, int(r.mails), int(r.cases), int(r.acks), int(r.dupAcks), int(r.posts),
      int(r.dupPosts),
      int(r.quarantined), int(r.transientQuarantined), int(r.leftInInbox), r.audit, int(r.kills), int(r.imapRestarts),
      int(r.smtpAttempts), `${fixed(q(r.resumeS, 0.5), 1)} s`, `${fixed(q(r.resumeS, 1), 1)} s`,
      r.settledS === null ? 'NOT SETTLED' : `${fixed(r.settledS, 0)} s`]),
  ]));
}

export async function run(): Promise<number> {
  const o = options();
  const pg = await postgresReachable();
  const pgBase = 'url' in pg ? pg.url : null;
  console.log(`chaos: ${int(o.mails)} mails over ${o.arrivalS} s, ${o.kills} × kill -9, one IMAP restart, `
    + `${o.smtp4xx} × SMTP 451; `
    + `configurations ${o.configs.map((c) => `${c.db}:${c.instances}${c.sent ? ':sent' : ''}`).join(', ')}; `
    + `settle timeout ${o.settleS} s`);
  const dovecot = await startDovecot();
  const results: Result[] = [];
  try {
    for (const cfg of o.configs) {
      if (cfg.db === 'postgres' && !pgBase) {
        const why = 'skip' in pg ? pg.skip : '';
        if (process.env.CI === 'true') throw new Error(`PostgreSQL is required when CI=true: ${why}`);
        console.log(`  ${cfg.db}:${cfg.instances} skipped — ${why}`);
        continue;
      }
      const t = performance.now();
      results.push(await runConfig(o, cfg, dovecot, pgBase ?? DEFAULT_PG_URL));
      console.log(`  ${results.at(-1)!.label}: done in ${fixed((performance.now() - t) / 1000, 0)} s`);
    }
  } finally {
    await dovecot.stop();
    rmSync(dovecot.dir, { recursive: true, force: true });
  }
  report(results);
  const bad = results.filter((r) => r.cases !== r.mails || r.dupAcks > (r.sent ? 0 : r.kills) || r.dupPosts
    || r.transientQuarantined
    || r.leftInInbox
    || r.audit !== 'verified' || r.settledS === null);
  console.log(bad.length
    ? `chaos: ${bad.length} configuration(s) lost, doubled or left something (see above)`
    : 'chaos: nothing lost, nothing twice');
  return bad.length ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  process.exitCode = await run();
  setTimeout(() => process.exit(process.exitCode ?? 0), 2_000).unref();
}
