/**
 * Reads the DPO mailbox (imapflow): IMAP IDLE wakes it, a timer polls anyway. Per run: take the mailbox lease
 * (one poller across instances), fetch UIDs above the watermark (per UIDVALIDITY), store each raw message, then
 * process it (case + inbox row in one transaction), and only then move it to Processed or Quarantine; the
 * watermark advances after the moves. A crash anywhere is repaired by the next run: stored-but-unprocessed rows
 * are processed, unmoved messages are fetched again and recognised by Message-ID/hash, then moved.
 */
import { ImapFlow } from 'imapflow';
import { acquireLease, releaseLease } from '../db/lease-repository.ts';
import { getWatermark, listInbox, markMoved, setWatermark } from '../db/mail-repository.ts';
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

export interface MailboxPoller {
  runOnce(): Promise<PollReport>;
  /** IDLE + periodic poll until stop(); reconnects with capped backoff and jitter. */
  start(): void;
  stop(): Promise<void>;
}

const FETCH_BATCH = 100;
const RECONNECT = { baseMs: 1_000, capMs: 60_000, maxAttempts: Infinity, maxAgeMs: Infinity };

export function createImapPoller(deps: AppDeps, imap: ImapSettings, opts: { owner: string; hooks?: PollerHooks }): MailboxPoller {
  const { db } = deps.database;
  const key = `${imap.user}/${imap.mailbox}`;
  let client: ImapFlow | null = null;
  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let seenUid = 0;
  const intake = createSafeIntake(deps);

  async function connection(): Promise<ImapFlow> {
    if (client?.usable) return client;
    const c = new ImapFlow({
      host: imap.host, port: imap.port, secure: imap.secure, auth: { user: imap.user, pass: imap.password },
      logger: false, emitLogs: false, disableAutoIdle: true,
    });
    // Listeners before connect(): a dropped connection must never become an unhandled error.
    c.on('error', (e: Error) => { deps.log.warn({ err: e.message }, 'IMAP connection error'); if (client === c) client = null; });
    c.on('close', () => { if (client === c) client = null; wake?.(); }); // reconnect now, not at the next poll
    c.on('exists', () => wake?.());
    await c.connect();
    for (const folder of [imap.processed, imap.quarantine]) {
      await c.mailboxCreate(folder).catch(() => {}); // exists already: fine
    }
    client = c;
    return c;
  }

  async function runOnce(): Promise<PollReport> {
    const report: PollReport = { skipped: false, fetched: 0, processed: 0, moved: 0 };
    if (!(await acquireLease(db, `imap:${key}`, opts.owner, deps.clock(), 10 * 60_000))) return { ...report, skipped: true };
    const c = await connection();
    const lock = await c.getMailboxLock(imap.mailbox);
    try {
      const uidValidity = Number(c.mailbox && c.mailbox.uidValidity);
      const moves = new Map<number, Move>();
      for (const m of await processBacklog(uidValidity, report)) moves.set(m.uid, m);
      const mark = await getWatermark(db, key);
      if (mark && mark.uidValidity !== uidValidity) deps.log.warn({ mailbox: imap.mailbox }, 'UIDVALIDITY changed; re-reading the mailbox (duplicates are recognised)');
      const from = mark?.uidValidity === uidValidity ? mark.lastUid : 0;
      const uids = ((await c.search({ uid: `${from + 1}:*` }, { uid: true })) || []).filter((u) => u > from).sort((a, b) => a - b);
      for (let i = 0; i < uids.length; i += FETCH_BATCH) {
        const batch = await fetchBatch(c, uids.slice(i, i + FETCH_BATCH)); // collect, then act: no commands inside fetch()
        for (const m of batch) {
          const move = await take(m, uidValidity, report);
          if (move) moves.set(m.uid, move); // null: left for the next run (a transient failure); not moved yet
        }
      }
      await moveAll(c, [...moves.values()], report);
      // The watermark passes a UID only once it is moved: after a crash the rest is fetched again and
      // recognised as stored (by Message-ID/hash), so a second copy of a message is never left behind.
      if (uids.length) await setWatermark(db, key, uidValidity, uids[uids.length - 1]!);
      seenUid = Math.max(from, ...uids);
    } finally {
      lock.release();
    }
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
    const state = row.state === 'received' ? await processSafely(row.id, report) : row.state;
    await opts.hooks?.afterProcess?.(m.uid);
    if (state === 'received') return null;
    // A second copy of a message (two aliases) is moved as well, but the row keeps describing the first copy.
    return { uid: m.uid, inboxId: row.id, folder: folderFor(state), own: !duplicate || row.uid === m.uid };
  }

  async function processSafely(inboxId: string, report: PollReport): Promise<string> {
    report.processed++;
    return intake.process(inboxId); // transient failures are retried, never quarantined (see createSafeIntake)
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

  async function pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() { clearTimeout(t); wake = null; resolve(); }
      wake = done;
      if (client?.usable) void idleUntilNewMail(client, done);
    });
  }

  /** Mail that arrived between the run and IDLE is caught by STATUS; later mail by IDLE's EXISTS. */
  async function idleUntilNewMail(c: ImapFlow, done: () => void): Promise<void> {
    try {
      const status = await c.status(imap.mailbox, { uidNext: true });
      if (status && (status.uidNext ?? 0) > seenUid + 1) return done();
      await c.idle();
    } catch {
      done();
    }
  }

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      loop = (async () => {
        for (let failures = 0; running;) {
          try {
            await runOnce();
            failures = 0;
          } catch (e) {
            failures++;
            deps.log.warn({ err: (e as Error).message, failures }, 'mailbox poll failed; reconnecting');
            client?.close();
            client = null;
          }
          if (running) await pause(failures ? retryDelayMs(failures, RECONNECT, deps.random) : imap.pollSeconds * 1000);
        }
      })();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      if (client?.usable) await client.logout().catch(() => client?.close());
      client = null;
      await releaseLease(db, `imap:${key}`, opts.owner); // another instance may take the mailbox at once
    },
  };
}

interface Fetched { uid: number; source: Uint8Array; internalDate: Date }
interface Move { uid: number; inboxId: string; folder: string; own: boolean }

async function fetchBatch(c: ImapFlow, uids: number[]): Promise<Fetched[]> {
  const out: Fetched[] = [];
  for await (const msg of c.fetch(uids.join(','), { uid: true, source: true, internalDate: true }, { uid: true })) {
    if (msg.source) out.push({ uid: msg.uid, source: new Uint8Array(msg.source), internalDate: new Date(msg.internalDate ?? 0) });
  }
  return out.sort((a, b) => a.uid - b.uid);
}
