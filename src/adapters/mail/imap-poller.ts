/**
 * Reads the DPO mailbox (imapflow): IMAP IDLE wakes it, a timer polls anyway. Per run: take the mailbox lease
 * (one poller across instances), fetch UIDs above the watermark (per UIDVALIDITY) in batches of BATCH, and per
 * batch store each raw message, process it (case + inbox row in one transaction), move the batch to Processed or
 * Quarantine, and only then advance the watermark: a crash loses at most one batch of work. A crash anywhere is
 * repaired by the next run: stored-but-unprocessed rows are processed, unmoved messages are fetched again and
 * recognised by Message-ID + content, then moved.
 *
 * Liveness: the lease is short (30 s) and renewed before every batch and every 10 s while idle, so a dead holder
 * is replaced within the TTL; a standby instance asks for the lease every 10 s. While the server is unreachable
 * the poller retries with capped exponential backoff and jitter, logging one line when it goes down and one when
 * it is back (not one per attempt); the failed connection's close never cuts the backoff short.
 */
import { ImapFlow } from 'imapflow';
import { beat } from '../db/heartbeat-repository.ts';
import { acquireLease, releaseLease, RENEW_EVERY_MS } from '../db/lease-repository.ts';
import { getWatermark, listInbox, markMoved, setWatermark, type InboxRow } from '../db/mail-repository.ts';
import { createSafeIntake, storeRaw } from '../../app/ingest-mail.ts';
import type { AppDeps } from '../../app/deps.ts';
import type { Config } from '../../config.ts';
import { retryDelayMs } from '../../domain/outbox-policy.ts';

type ImapSettings = NonNullable<Config['imap']>;

/** Test seams: throwing from one simulates a crash at that point. */
export interface PollerHooks {
  afterStore?(uid: number): void | Promise<void>;
  afterProcess?(uid: number): void | Promise<void>;
  beforeMove?(uid: number): void | Promise<void>;
}

export interface PollReport {
  skipped: boolean;
  fetched: number;
  processed: number;
  moved: number;
}

export interface PollerStatus {
  /** `down`: the last attempt failed (server unreachable, or an unexpected error); retrying with backoff. */
  state: 'starting' | 'up' | 'standby' | 'down';
  since: Date;
  /** Attempts since the poller went down (0 when up). */
  failures: number;
  lastRunAt: Date | null;
}

export interface MailboxPoller {
  runOnce(): Promise<PollReport>;
  /** IDLE + periodic poll until stop(); reconnects with capped backoff and jitter. */
  start(): void;
  stop(): Promise<void>;
  status(): PollerStatus;
}

export interface PollerOptions {
  owner: string;
  hooks?: PollerHooks;
  /** The pause between attempts (tests: count attempts without waiting); resolves early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  batchSize?: number;
}

export const BATCH = 20;
const DOWN = 'mailbox poll failed (server unreachable or an unexpected error); retrying with backoff';
export const RECONNECT = { baseMs: 1_000, capMs: 60_000, maxAttempts: Infinity, maxAgeMs: Infinity };

export function createImapPoller(deps: AppDeps, imap: ImapSettings, opts: PollerOptions): MailboxPoller {
  const { db } = deps.database;
  const key = `${imap.user}/${imap.mailbox}`;
  const leaseName = `imap:${key}`;
  const batchSize = opts.batchSize ?? BATCH;
  const sleep = opts.sleep ?? realSleep;
  let client: ImapFlow | null = null;
  let running = false;
  let loop: Promise<void> | null = null;
  let renewTimer: NodeJS.Timeout | null = null;
  let holding = false;
  /** Ends the current pause: new mail (IDLE), stop(), or the idle connection dropping. */
  let wake: (() => void) | null = null;
  let idling: ImapFlow | null = null;
  let seenUid = 0;
  let status: PollerStatus = { state: 'starting', since: deps.clock(), failures: 0, lastRunAt: null };
  const intake = createSafeIntake(deps);

  async function connection(): Promise<ImapFlow> {
    if (client?.usable) return client;
    const c = new ImapFlow({
      host: imap.host, port: imap.port, secure: imap.secure, auth: { user: imap.user, pass: imap.password },
      logger: false, emitLogs: false, disableAutoIdle: true,
    });
    // Listeners before connect(): a dropped connection must never become an unhandled error. Only the connection
    // we are idling on may end a pause (a failed connect closing must not cut the backoff short).
    c.on('error', () => { if (client === c) client = null; });
    c.on('close', () => { if (client === c) client = null; if (idling === c) wake?.(); });
    c.on('exists', () => { if (idling === c) wake?.(); });
    await c.connect();
    for (const folder of [imap.processed, imap.quarantine]) {
      await c.mailboxCreate(folder).catch(() => {}); // exists already: fine
    }
    client = c;
    return c;
  }

  async function hold(): Promise<boolean> {
    holding = await acquireLease(db, leaseName, opts.owner, deps.clock());
    return holding;
  }

  async function runOnce(): Promise<PollReport> {
    const report: PollReport = { skipped: false, fetched: 0, processed: 0, moved: 0 };
    if (!(await hold())) return { ...report, skipped: true };
    const c = await connection();
    const lock = await c.getMailboxLock(imap.mailbox);
    try {
      const uidValidity = Number(c.mailbox && c.mailbox.uidValidity);
      await moveAll(c, await processBacklog(uidValidity, report), report);
      const mark = await getWatermark(db, key);
      if (mark && mark.uidValidity !== uidValidity) {
        deps.log.warn({ mailbox: imap.mailbox }, 'UIDVALIDITY changed; re-reading the mailbox (duplicates are recognised)');
      }
      const from = mark?.uidValidity === uidValidity ? mark.lastUid : 0;
      const found = (await c.search({ uid: `${from + 1}:*` }, { uid: true })) || [];
      const uids = found.filter((u) => u > from).sort((a, b) => a - b);
      seenUid = Math.max(seenUid, from);
      for (let i = 0; i < uids.length; i += batchSize) {
        // Lost the lease (this process stalled past the TTL): the new holder carries on from the watermark.
        if (i > 0 && !(await hold())) return { ...report, skipped: true };
        const part = uids.slice(i, i + batchSize);
        const moves: Move[] = [];
        let deferred: number | null = null; // a transient failure: left in INBOX for the next run, not moved
        for (const m of await fetchBatch(c, part)) { // collect, then act: no commands inside fetch()
          const move = await take(m, uidValidity, report);
          if (move) moves.push(move);
          else deferred ??= m.uid;
        }
        await moveAll(c, moves, report);
        // The watermark passes a UID only once it is moved: after a crash the rest is fetched again and
        // recognised as stored (by Message-ID + content), so a second copy of a message is never left behind.
        const upTo = deferred === null ? part[part.length - 1]! : deferred - 1;
        if (upTo > seenUid) await setWatermark(db, key, uidValidity, upTo);
        seenUid = Math.max(seenUid, upTo);
        if (deferred !== null) return report;
      }
    } finally {
      lock.release();
    }
    await beat(db, 'mail-poll', opts.owner, deps.clock());
    return report;
  }

  /** Rows left by a crash: stored but not processed, or processed but not moved. */
  async function processBacklog(uidValidity: number, report: PollReport) {
    const moves: Move[] = [];
    for (const row of await listInbox(db, { state: 'received' })) {
      if (row.mailbox !== imap.mailbox || row.source !== 'imap') continue;
      await processSafely(row.id, report);
    }
    for (const row of await listInbox(db, { unmoved: true })) {
      if (row.mailbox === imap.mailbox && row.uidValidity === uidValidity && row.uid !== null) {
        moves.push({ uid: row.uid, inboxId: row.id, folder: folderFor(row.state), own: true });
      }
    }
    return moves;
  }

  async function take(m: Fetched, uidValidity: number, report: PollReport): Promise<Move | null> {
    report.fetched++;
    const { row, duplicate } = await storeRaw(deps, {
      raw: m.source, deliveredAt: m.internalDate, source: 'imap', mailbox: imap.mailbox, uidValidity, uid: m.uid,
    }, deps.clock());
    await opts.hooks?.afterStore?.(m.uid);
    const state = row.state === 'received' ? await processSafely(row.id, report, row) : row.state;
    await opts.hooks?.afterProcess?.(m.uid);
    if (state === 'received') return null;
    // A second copy of a message (two aliases) is moved as well, but the row keeps describing the first copy.
    return { uid: m.uid, inboxId: row.id, folder: folderFor(state), own: !duplicate || row.uid === m.uid };
  }

  async function processSafely(inboxId: string, report: PollReport, stored?: InboxRow): Promise<string> {
    report.processed++;
    return intake.process(inboxId, stored); // transient failures are retried, never quarantined (see createSafeIntake)
  }

  function folderFor(state: string): string {
    return state === 'quarantined' ? imap.quarantine : imap.processed;
  }

  /** One MOVE per folder with a UID set: a MOVE per message costs milliseconds each on a large mailbox. */
  async function moveAll(c: ImapFlow, moves: Move[], report: PollReport): Promise<void> {
    for (const m of moves) await opts.hooks?.beforeMove?.(m.uid);
    for (const folder of new Set(moves.map((m) => m.folder))) {
      const batch = moves.filter((m) => m.folder === folder);
      for (let i = 0; i < batch.length; i += 500) {
        const part = batch.slice(i, i + 500);
        await c.messageMove(part.map((m) => m.uid).join(','), folder, { uid: true });
        for (const m of part) if (m.own) await markMoved(db, m.inboxId, folder);
        report.moved += part.length;
      }
    }
  }

  /** Waits `ms`, or less when woken; when `idleOn` is given, IMAP IDLE on it wakes the pause on new mail. */
  async function pause(ms: number, idleOn: ImapFlow | null): Promise<void> {
    const abort = new AbortController();
    const woken = new Promise<void>((resolve) => { wake = () => { abort.abort(); resolve(); }; });
    idling = idleOn;
    if (idleOn) void idleUntilNewMail(idleOn, () => wake?.());
    try {
      await Promise.race([sleep(ms, abort.signal), woken]);
    } finally {
      abort.abort();
      wake = null;
      idling = null;
    }
  }

  /** Mail that arrived between the run and IDLE is caught by STATUS; later mail by IDLE's EXISTS. */
  async function idleUntilNewMail(c: ImapFlow, done: () => void): Promise<void> {
    try {
      const s = await c.status(imap.mailbox, { uidNext: true });
      if (s && (s.uidNext ?? 0) > seenUid + 1) return done();
      await c.idle();
    } catch {
      done();
    }
  }

  function setState(state: PollerStatus['state'], failures: number, err?: string): void {
    const was = status;
    status = { state, since: state === was.state ? was.since : deps.clock(), failures, lastRunAt: was.lastRunAt };
    if (state === was.state) return;
    if (state === 'down') deps.log.warn({ mailbox: imap.mailbox, err }, DOWN);
    else if (was.state === 'down') {
      deps.log.info({ mailbox: imap.mailbox, attempts: was.failures + 1 }, 'mailbox poll working again');
    }
  }

  /** One pass of the loop: never throws (anything unexpected counts as a failed attempt, with backoff). */
  async function attempt(failures: number): Promise<number> {
    try {
      const r = await runOnce();
      status.lastRunAt = deps.clock();
      setState(r.skipped ? 'standby' : 'up', 0);
      return 0;
    } catch (e) {
      setState('down', failures + 1, (e as Error)?.message ?? String(e));
      const c = client;
      client = null;
      c?.close();
      return failures + 1;
    }
  }

  async function supervise(): Promise<void> {
    for (let failures = 0; running;) {
      failures = await attempt(failures);
      if (!running) break;
      const healthy = failures === 0;
      const ms = healthy
        ? (holding ? imap.pollSeconds * 1000 : Math.min(imap.pollSeconds * 1000, RENEW_EVERY_MS)) // standby: ask often
        : retryDelayMs(failures, RECONNECT, deps.random);
      try {
        await pause(ms, healthy && holding && client?.usable ? client : null);
      } catch (e) {
        deps.log.error({ err: (e as Error).message }, 'mailbox poller pause failed');
      }
    }
  }

  return {
    runOnce,
    status: () => ({ ...status }),
    start() {
      if (running) return;
      running = true;
      loop = supervise();
      renewTimer = setInterval(() => { if (holding) void hold().catch(() => { holding = false; }); }, RENEW_EVERY_MS);
      renewTimer.unref();
    },
    async stop() {
      running = false;
      if (renewTimer) clearInterval(renewTimer);
      wake?.();
      await loop;
      if (client?.usable) await client.logout().catch(() => client?.close());
      client = null;
      holding = false;
      await releaseLease(db, leaseName, opts.owner); // another instance may take the mailbox at once
    },
  };
}

function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

interface Fetched { uid: number; source: Uint8Array; internalDate: Date }
interface Move { uid: number; inboxId: string; folder: string; own: boolean }

async function fetchBatch(c: ImapFlow, uids: number[]): Promise<Fetched[]> {
  const out: Fetched[] = [];
  for await (const msg of c.fetch(uids.join(','), { uid: true, source: true, internalDate: true }, { uid: true })) {
    // imapflow hands over a Buffer of its own: no copy (a 20 MB message is held once here).
    if (msg.source) out.push({ uid: msg.uid, source: msg.source, internalDate: new Date(msg.internalDate ?? 0) });
  }
  return out.sort((a, b) => a.uid - b.uid);
}
