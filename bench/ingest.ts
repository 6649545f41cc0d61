/**
 * bench/ingest: mail → case throughput of the real intake against a private Dovecot, as a ratio to a baseline
 * measured in the same run on the same messages.
 *
 * - N realistic request mails (default 5,000; `BENCH_MESSAGES`) built from the `request-*.eml` fixtures (every request
 *   type, en/de/fr/es), each with a unique sender, Message-ID and a `Received: … by mx.example.com …; <date>` stamp,
 *   are APPENDed to the INBOX of fresh mailbox users (seeding, not measured): one per phase.
 * - Baseline: one imapflow client, `FETCH 1:*` (uid, source, internalDate), `PostalMime.parse` of every source.
 * - dpo-desk: the desk built as the tests build it (test/support/desk.ts) on a fresh SQLite file — and on a fresh
 *   PostgreSQL schema when reachable — and the IMAP poller's `runOnce()` until nothing is left: raw stored,
 *   understood, case + clocks + audit + outbox in one transaction, moved to Processed.
 * - Peak RSS / heapUsed per phase (sampled every 50 ms). No absolute thresholds: the ratio is the result.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ImapFlow } from 'imapflow';
import PostalMime from 'postal-mime';
import { admin, collectGarbage, fixed, int, postgresReachable, sampleMemory, seconds, table, type MemoryPeak } from './lib.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../src/adapters/db/schema.ts';
import { createImapPoller } from '../src/adapters/mail/imap-poller.ts';
import { findDovecotBinary, freshUser, imapOptions, startDovecot, type DovecotServer } from '../test/support/dovecot.ts';
import { testConfig, testDesk } from '../test/support/desk.ts';
import { intakePolicy } from '../src/main.ts';
import { understandMessage } from '../src/domain/intake/understand-message.ts';

const FIXTURES = new URL('../test/fixtures/mail/', import.meta.url);
const DEFAULT_MESSAGES = 5_000;
const SIGNING_SECRET = 'bench-signing-secret-1';
const RECEIVING_HOST = 'mx.example.com';

interface PhaseResult {
  label: string;
  unit: string;
  count: number;
  ms: number;
  memory: MemoryPeak;
  problems: string[];
  note?: string;
}

function messageCount(): number {
  const raw = process.env.BENCH_MESSAGES;
  if (raw === undefined || raw === '') return DEFAULT_MESSAGES;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_MESSAGES must be a positive whole number, got ${JSON.stringify(raw)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// The messages

interface Template {
  name: string;
  fromDisplay: string;
  fromLocal: string;
  headers: string[]; // kept header fields (folded lines joined with CRLF), in order
  body: string;
}

const DROPPED = new Set(['return-path', 'delivered-to', 'received', 'message-id', 'date', 'from']);

/** The request fixtures that open a case (per their .expected.json), split into kept headers and body. */
export function loadTemplates(): Template[] {
  const dir = FIXTURES.pathname;
  const out: Template[] = [];
  for (const file of readdirSync(dir).filter((f) => /^request-.*\.eml$/.test(f)).sort()) {
    const expected = JSON.parse(readFileSync(join(dir, file.replace(/\.eml$/, '.expected.json')), 'utf8')) as { action?: string };
    if (expected.action !== 'create') continue;
    const text = readFileSync(join(dir, file), 'latin1').replace(/\r?\n/g, '\r\n');
    const split = text.indexOf('\r\n\r\n');
    const head = text.slice(0, split);
    const body = text.slice(split + 4);
    const fields: string[] = [];
    for (const line of head.split('\r\n')) {
      if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += `\r\n${line}`;
      else fields.push(line);
    }
    const from = fields.find((f) => /^from:/i.test(f));
    const m = from ? /^from:\s*(.*?)\s*<([^@>\s]+)@[^>\s]+>\s*$/is.exec(from) : null;
    if (!m) throw new Error(`${file}: no "From: Name <address>" header`);
    out.push({
      name: file,
      fromDisplay: m[1]!.trim(),
      fromLocal: m[2]!,
      headers: fields.filter((f) => !DROPPED.has(f.slice(0, f.indexOf(':')).trim().toLowerCase())),
      body,
    });
  }
  if (out.length === 0) throw new Error(`no request-*.eml fixtures that open a case in ${dir}`);
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** RFC 5322 date-time in UTC: `Mon, 02 Mar 2026 09:14:35 +0000`. */
function mailDate(d: Date): string {
  return `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} `
    + `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

export interface BenchMail {
  raw: Buffer;
  receivedAt: Date;
}

/** N distinct request mails that arrived over the last 30 days: template i mod T, unique sender and Message-ID. */
export function generateMessages(n: number, templates: Template[]): BenchMail[] {
  const run = randomBytes(4).toString('hex');
  const end = Date.now() - 86_400_000;
  const step = Math.max(1_000, Math.floor((29 * 86_400_000) / n));
  const out: BenchMail[] = [];
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length]!;
    const receivedAt = new Date(end - (n - i) * step);
    const sentAt = new Date(receivedAt.getTime() - 4_000);
    const address = `${t.fromLocal}.${i + 1}@example.test`;
    const id = randomBytes(5).toString('hex').toUpperCase();
    const head = [
      `Return-Path: <${address}>`,
      'Delivered-To: dpo@example.com',
      `Received: from mail.example.test (mail.example.test [192.0.2.${(i % 250) + 1}])\r\n`
        + `\tby ${RECEIVING_HOST} (Postfix) with ESMTPS id ${id}\r\n\tfor <dpo@example.com>; ${mailDate(receivedAt)}`,
      `Received: by mail.example.test (Postfix, from userid 1000)\r\n\tid ${id.slice(0, 8)}; ${mailDate(sentAt)}`,
      `From: ${t.fromDisplay} <${address}>`,
      ...t.headers,
      `Date: ${mailDate(sentAt)}`,
      `Message-ID: <bench.${run}.${i + 1}@mail.example.test>`,
    ];
    out.push({ raw: Buffer.from(`${head.join('\r\n')}\r\n\r\n${t.body}`, 'latin1'), receivedAt });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding (not measured)

async function connect(server: DovecotServer, user: string): Promise<ImapFlow> {
  const client = new ImapFlow(imapOptions(server, user));
  client.on('error', () => {}); // a server-side close must not become an unhandled 'error'
  await client.connect();
  return client;
}

async function logout(client: ImapFlow): Promise<void> {
  await client.logout().catch(() => client.close());
}

/** APPENDs every message to INBOX of `user`, one connection, one message after the other. */
async function seed(server: DovecotServer, user: string, mails: BenchMail[]): Promise<void> {
  const client = await connect(server, user);
  try {
    for (const m of mails) {
      const res = await client.append('INBOX', m.raw, [], m.receivedAt);
      if (!res) throw new Error(`APPEND to INBOX of ${user} failed`);
    }
  } finally {
    await logout(client);
  }
}

/** Cases in the database, and inbox rows by state (to explain a shortfall). */
async function countCases(db: Kysely<DB>): Promise<{ cases: number; inbox: Record<string, number> }> {
  const c = await db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await db.selectFrom('inbox_messages').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
  return { cases: Number(c.n), inbox: Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])) };
}

async function mailboxCounts(server: DovecotServer, user: string): Promise<Record<string, number>> {
  const client = await connect(server, user);
  try {
    const out: Record<string, number> = {};
    for (const box of ['INBOX', 'Processed', 'Quarantine']) {
      const s = await client.status(box, { messages: true }).catch(() => false as const);
      out[box] = s ? s.messages ?? 0 : 0;
    }
    return out;
  } finally {
    await logout(client);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Phases

/** Baseline: raw imapflow FETCH of the whole INBOX + postal-mime parse of every source. */
async function baseline(server: DovecotServer, user: string, expected: number): Promise<PhaseResult> {
  collectGarbage();
  const mem = sampleMemory();
  const t0 = performance.now();
  let count = 0;
  let ms: number;
  const client = new ImapFlow(imapOptions(server, user));
  client.on('error', () => {});
  try {
    await client.connect();
    const lock = await client.getMailboxLock('INBOX');
    try {
      for await (const msg of client.fetch('1:*', { uid: true, source: true, internalDate: true })) {
        if (!msg.source) continue;
        const email = await PostalMime.parse(msg.source, { forceRfc822Attachments: true });
        if (email.headers.length > 0) count++;
      }
    } finally {
      lock.release();
    }
    ms = performance.now() - t0;
  } finally {
    mem.stop();
    await logout(client);
  }
  const problems = count === expected ? [] : [`parsed ${int(count)} messages, expected ${int(expected)}`];
  return { label: 'baseline: imapflow fetch + postal-mime', unit: 'msg/s', count, ms, memory: mem.stop(), problems };
}

/** dpo-desk: the real desk on `databaseUrl`, the IMAP poller's runOnce() until the INBOX is empty. */
async function deskPhase(label: string, server: DovecotServer, user: string, databaseUrl: string, expected: number): Promise<PhaseResult> {
  const desk = testDesk(databaseUrl, {
    env: {
      IMAP_HOST: '127.0.0.1', IMAP_PORT: String(server.imapPort), IMAP_SECURE: 'false', IMAP_USER: user,
      IMAP_PASSWORD: server.password, MAIL_SIGNING_SECRET: SIGNING_SECRET, MAIL_RECEIVING_HOSTS: RECEIVING_HOST,
      LOG_LEVEL: 'silent',
    },
  });
  try {
    await desk.migrate();
    // Where the time goes, from the poller's own hooks: each span ends at a hook and starts at the previous one.
    const stages: Record<'fetchStore' | 'process' | 'move', number[]> = { fetchStore: [], process: [], move: [] };
    type Hook = 'start' | 'store' | 'process' | 'move';
    const at: { time: number; hook: Hook } = { time: 0, hook: 'start' };
    const mark = (stage: keyof typeof stages | null, hook: Hook) => {
      const now = performance.now();
      if (stage) stages[stage].push(now - at.time);
      at.time = now;
      at.hook = hook;
    };
    const poller = createImapPoller(desk.deps, desk.deps.config.imap!, {
      owner: 'bench',
      hooks: {
        afterStore: () => mark('fetchStore', 'store'),
        afterProcess: () => mark('process', 'process'),
        beforeMove: () => mark(at.hook === 'move' ? 'move' : null, 'move'),
      },
    });
    collectGarbage();
    const mem = sampleMemory();
    const t0 = performance.now();
    let tEnd = t0;
    let runs = 0;
    const totals = { fetched: 0, processed: 0, moved: 0 };
    try {
      for (;;) {
        mark(null, 'start');
        const r = await poller.runOnce();
        if (at.hook === 'move') mark('move', 'start'); // the last MOVE of the run (and the watermark update)
        runs++;
        if (r.skipped) throw new Error('the poller did not get the mailbox lease');
        if (r.fetched === 0 && r.processed === 0 && r.moved === 0) break;
        tEnd = performance.now();
        totals.fetched += r.fetched;
        totals.processed += r.processed;
        totals.moved += r.moved;
        if (runs > 1_000) throw new Error('runOnce() keeps finding mail after 1,000 runs');
      }
    } finally {
      mem.stop();
      await poller.stop();
    }
    const ms = tEnd - t0;
    const { cases, inbox } = await countCases(desk.deps.database.db);
    const boxes = await mailboxCounts(server, user);
    const problems: string[] = [];
    if (cases !== expected) {
      problems.push(`${int(cases)} cases opened, expected ${int(expected)} (inbox rows by state: ${JSON.stringify(inbox)})`);
    }
    if (boxes.INBOX !== 0 || boxes.Processed !== expected) problems.push(`mailbox afterwards: ${JSON.stringify(boxes)}, expected Processed = ${int(expected)}`);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const per = (xs: number[]) => fixed(sum(xs) / Math.max(1, totals.fetched), 2);
    // Mean of the first and last tenth: per-message cost that grows with the mailbox or the tables shows here.
    const trend = (xs: number[]) => {
      const k = Math.max(1, Math.floor(xs.length / 10));
      return `${fixed(sum(xs.slice(0, k)) / k, 2)} → ${fixed(sum(xs.slice(-k)) / k, 2)}`;
    };
    const rest = ms - sum(stages.fetchStore) - sum(stages.process) - sum(stages.move);
    return {
      label, unit: 'cases/s', count: cases, ms, memory: mem.stop(), problems,
      note: `${runs} runOnce() calls; fetched ${int(totals.fetched)}, processed ${int(totals.processed)}, moved ${int(totals.moved)}\n`
        + table([
          ['ms per message', 'mean', 'first 10% → last 10%'],
          ['IMAP fetch + store raw', per(stages.fetchStore), trend(stages.fetchStore)],
          ['understand + route + commit', per(stages.process), trend(stages.process)],
          ['IMAP MOVE (UID sets) + mark moved', per(stages.move), trend(stages.move)],
          ['rest (lease, connect, search, last run)', fixed(rest / Math.max(1, totals.fetched), 2), ''],
        ], '    '),
    };
  } finally {
    await desk.close();
  }
}

const UNDERSTAND_SAMPLE = 300;

/**
 * In-process, no IMAP, no database: postal-mime alone vs the intake's understandMessage() (parse + classify +
 * language + receipt date) on the first few hundred messages — splits the desk's per-message CPU from its I/O.
 */
async function understandSample(mails: BenchMail[]): Promise<{ n: number; parseMs: number; understandMs: number }> {
  const policy = intakePolicy(testConfig('sqlite::memory:', { MAIL_RECEIVING_HOSTS: RECEIVING_HOST }));
  const subset = mails.slice(0, UNDERSTAND_SAMPLE);
  for (const m of mails.slice(-100)) await understandMessage(m.raw, policy, m.receivedAt); // warm-up (JIT)
  // Best of three rounds: the least disturbed by other work on the machine.
  let parseMs = Infinity;
  let understandMs = Infinity;
  for (let round = 0; round < 3; round++) {
    let t = performance.now();
    for (const m of subset) await PostalMime.parse(m.raw, { forceRfc822Attachments: true });
    parseMs = Math.min(parseMs, performance.now() - t);
    t = performance.now();
    for (const m of subset) {
      const r = await understandMessage(m.raw, policy, m.receivedAt);
      if (!r.ok || r.value.kind !== 'request') throw new Error(`understandMessage did not see a request: ${JSON.stringify(r).slice(0, 200)}`);
    }
    understandMs = Math.min(understandMs, performance.now() - t);
  }
  return { n: subset.length, parseMs, understandMs };
}

async function sqlitePhase(server: DovecotServer, user: string, expected: number): Promise<PhaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'dpo-desk-bench-'));
  try {
    return await deskPhase('dpo-desk mail → case, SQLite', server, user, `sqlite:${join(dir, 'bench.sqlite')}`, expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}



async function postgresPhase(baseUrl: string, server: DovecotServer, user: string, expected: number): Promise<PhaseResult> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  await admin(baseUrl, (c) => c.query(`CREATE SCHEMA ${schema}`));
  try {
    const url = `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    return await deskPhase('dpo-desk mail → case, PostgreSQL', server, user, url, expected);
  } finally {
    await admin(baseUrl, (c) => c.query(`DROP SCHEMA ${schema} CASCADE`));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The benchmark

export async function run(): Promise<void> {
  const n = messageCount();
  console.log(`ingest: ${int(n)} request mails → Dovecot → mail → case, against imapflow fetch + postal-mime`);
  if (!findDovecotBinary()) {
    console.log('  SKIPPED: Dovecot is not installed (apt-get install -y --no-install-recommends dovecot-imapd dovecot-lmtpd)');
    return;
  }
  const templates = loadTemplates();
  const mails = generateMessages(n, templates);
  const bytes = mails.reduce((s, m) => s + m.raw.length, 0);
  const pgTarget = await postgresReachable();

  let server: DovecotServer;
  try {
    server = await startDovecot();
  } catch (e) {
    const msg = (e as Error).message;
    if (/not installed|this harness writes a Dovecot 2\.3 config/.test(msg)) {
      console.log(`  SKIPPED: ${msg.split('\n')[0]}`);
      return;
    }
    throw e;
  }
  try {
    const users = { baseline: freshUser('bench-base'), sqlite: freshUser('bench-sqlite'), postgres: freshUser('bench-pg') };
    const seeded = 'url' in pgTarget ? [users.baseline, users.sqlite, users.postgres] : [users.baseline, users.sqlite];
    const t0 = performance.now();
    await Promise.all(seeded.map((u) => seed(server, u, mails)));
    const seedMs = performance.now() - t0;

    const results: PhaseResult[] = [];
    const base = await baseline(server, users.baseline, n);
    results.push(base);
    results.push(await sqlitePhase(server, users.sqlite, n));
    const skipped: string[] = [];
    if ('url' in pgTarget) results.push(await postgresPhase(pgTarget.url, server, users.postgres, n));
    else skipped.push(`PostgreSQL phase skipped: ${pgTarget.skip}`);

    const cpu = await understandSample(mails);

    const rate = (r: PhaseResult) => (r.count / r.ms) * 1000;
    const baseRate = rate(base);
    const lines = [
      `  ${int(n)} messages from ${templates.length} request templates (7 types + multi, en/de/fr/es); `
        + `avg ${int(bytes / n)} B, ${fixed(bytes / 1024 / 1024)} MB in all`,
      `  seeding: IMAP APPEND ${int(n)} × ${seeded.length} mailboxes in parallel in ${seconds(seedMs)} `
        + `(${int((n * seeded.length) / (seedMs / 1000))} msg/s; not measured)`,
      '',
      table([
        ['phase', 'rate', 'time', 'ratio', 'RSS start → peak', 'peak heapUsed'],
        ...results.map((r) => [
          r.label,
          `${int(rate(r))} ${r.unit}`,
          seconds(r.ms),
          r === base ? '1' : fixed(rate(r) / baseRate, 3),
          `${int(r.memory.startRssMb)} → ${int(r.memory.peakRssMb)} MB`,
          `${int(r.memory.peakHeapUsedMb)} MB`,
        ]),
      ]),
      '',
      ...results.filter((r) => r !== base).map((r) => {
        const ratio = rate(r) / baseRate;
        return `  ratio dpo-desk/baseline (${r.label.replace(/^.*, /, '')}): ${fixed(ratio, 3)} `
          + `— ${ratio < 1 ? `${fixed(1 / ratio)}× slower` : `${fixed(ratio)}× faster`} than fetch + parse; `
          + `${fixed(r.ms / r.count, 2)} ms per message vs ${fixed(base.ms / base.count, 3)} ms`;
      }),
      ...results.filter((r) => r.note).map((r) => `  ${r.label}: ${r.note}`),
      `  in-process on ${cpu.n} of the messages (no IMAP, no database; warm, best of 3): postal-mime parse ${fixed(cpu.parseMs / cpu.n, 2)} ms, `
        + `understandMessage() ${fixed(cpu.understandMs / cpu.n, 2)} ms per message`,
      ...skipped.map((s) => `  ${s}`),
      ...results.flatMap((r) => r.problems.map((p) => `  ERROR ${r.label}: ${p}`)),
    ];
    console.log(lines.join('\n'));
  } finally {
    await server.stop();
    rmSync(server.dir, { recursive: true, force: true }); // 3 × N messages of maildir
  }
}
