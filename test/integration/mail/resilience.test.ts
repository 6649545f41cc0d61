/**
 * The poller under faults, against a real Dovecot: a Message-ID reused by different mails (10 senders → 10 cases,
 * the same bytes twice → once), leases that follow liveness (takeover within the TTL in virtual time), progress in
 * batches under a crash, backoff against a closed port with an injected sleep (attempts counted, one log line per
 * state change), and an unexpected error that restarts the poller instead of ending the process.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readAudit } from '../../../src/adapters/db/audit-log.ts';
import { listCases } from '../../../src/adapters/db/case-repository.ts';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { createImapPoller, type PollerOptions } from '../../../src/adapters/mail/imap-poller.ts';
import { createSmtpTransport } from '../../../src/adapters/mail/smtp-transport.ts';
import { deliverOutbox } from '../../../src/app/deliver-outbox.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';
import { deliverLmtp, dovecotOrSkip, freePort, freshUser, listMailbox } from '../../support/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { readFixture } from '../../unit/intake/intake-fixtures.ts';

const dovecot = dovecotOrSkip();
/** Conditions, not durations: the bound only ends a test that would otherwise hang (a loaded machine is slow). */
const WAIT = { timeout: 20_000, interval: 20 };

/** Log lines as objects (the desk's pino logger writing into an array). */
function capturingLog() {
  const lines: { msg: string; level: number; [k: string]: unknown }[] = [];
  const log = pino({ level: 'info' }, new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } }));
  return { log, lines };
}

/** A sleep the test drives: each pause waits until the test releases it; records the delays asked for. */
function drivenSleep() {
  const asked: number[] = [];
  const pending: (() => void)[] = [];
  const sleep: NonNullable<PollerOptions['sleep']> = (ms, signal) => new Promise<void>((resolve) => {
    asked.push(ms);
    pending.push(resolve);
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  return { sleep, asked, pending, release: () => pending.shift()?.() };
}

describe.skipIf(!dovecot).each(testDatabases())('the poller under faults (Dovecot, $name)', (tdb) => {
  const d = dovecot!;
  let user: string;
  let url: string;
  let drop: () => Promise<void>;
  let desks: Desk[];
  let sink: SmtpSink;
  const clock = virtualClock('2026-03-11T08:00:00Z');

  const env = (port = d.imapPort) => ({
    IMAP_HOST: d.host, IMAP_PORT: String(port), IMAP_SECURE: 'false', IMAP_USER: user, IMAP_PASSWORD: d.password,
    MAIL_SIGNING_SECRET: 'test-signing-secret-123', MAIL_RECEIVING_HOSTS: 'mx.example.com', MAIL_FROM: 'privacy@example.com',
    SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port),
  });
  const newDesk = (o: { port?: number; log?: pino.Logger } = {}) => {
    const desk = testDesk(url, { clock, env: env(o.port), ...(o.log ? { log: o.log } : {}) });
    desks.push(desk);
    return desk;
  };
  const poller = (desk: Desk, o: Partial<PollerOptions> = {}) => createImapPoller(desk.deps, desk.deps.config.imap!, { owner: 'host-a:1', ...o });
  const folder = async (name: string) => (await listMailbox(d, user, name)).length;

  beforeEach(async () => {
    user = freshUser('dpo');
    sink = await startSmtpSink();
    ({ url, drop } = await freshDatabase(tdb));
    desks = [];
    clock.set('2026-03-11T08:00:00Z');
  });
  afterEach(async () => {
    for (const x of desks) await x.close();
    await sink.close();
    await drop();
  });

  it('ten mails from different senders sharing one Message-ID become ten cases; the same bytes twice, one', async () => {
    const base = Buffer.from(readFixture('request-access-en')).toString('latin1');
    const mail = (i: number) => base
      .replace(/^From: .*$/m, `From: Person ${i} <person.${i}@example.test>`)
      .replace(/^Return-Path: .*$/m, `Return-Path: <person.${i}@example.test>`)
      .replace(/^Message-ID: .*$/m, 'Message-ID: <shared-0001@bulk.example.test>')
      .replace('customer number 48213-77', `customer number 48213-${i}`);
    for (let i = 0; i < 10; i++) await deliverLmtp(d, user, Buffer.from(mail(i), 'latin1'));
    await deliverLmtp(d, user, Buffer.from(mail(0), 'latin1')); // the same mail again (another LMTP delivery)
    const desk = newDesk();
    expect(await poller(desk).runOnce()).toMatchObject({ fetched: 11, moved: 11 });
    expect(await listCases(desk.deps.database.db)).toHaveLength(10);
    expect([await folder('INBOX'), await folder('Processed')]).toEqual([0, 11]);

    // Each person is acknowledged once; the DPO hears of the reuse (nine times: every mail after the first).
    const smtp = createSmtpTransport(desk.deps.config.smtp!, 'privacy@example.com', 'Example Org');
    try {
      for (;;) {
        const r = await deliverOutbox(desk.deps, { mail: smtp, slack: { send: async () => ({ ref: null }) } }, { owner: 'A' });
        if (r.sent + r.retried + r.failed === 0) break;
      }
    } finally {
      smtp.close();
    }
    const acks = sink.messages.filter((m) => m.parsed.subject?.includes('received your data protection request'));
    expect(acks.map((m) => m.envelope.to[0]).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `person.${i}@example.test`).sort());
    const alerts = sink.messages.filter((m) => m.envelope.to.includes('dpo@example.com') && (m.parsed.text ?? "").includes("Message-ID reused"));
    expect(alerts).toHaveLength(9);
    const flagged = [];
    for await (const e of readAudit(desk.deps.database.db)) if (e.type === 'MessageIdReused') flagged.push(e.caseId);
    expect(new Set(flagged).size).toBe(9);
  });

  it('a copy of one mail delivered to two aliases (other trace headers) is still one case', async () => {
    const raw = Buffer.from(readFixture('request-erasure-en'));
    await deliverLmtp(d, user, raw);
    await deliverLmtp(d, user, Buffer.concat([Buffer.from('X-Original-To: privacy-alias@example.com\r\n'), raw]));
    const desk = newDesk();
    expect(await poller(desk).runOnce()).toMatchObject({ fetched: 2, moved: 2 });
    expect(await listCases(desk.deps.database.db)).toHaveLength(1);
    expect((await listOutbox(desk.deps.database.db)).filter((o) => o.kind === 'dpo-alert')).toEqual([]);
  });

  it('a holder that stops renewing loses the mailbox within 30 s (virtual time); the new holder takes the rest', async () => {
    await deliverLmtp(d, user, Buffer.from(readFixture('request-access-de')));
    const a = poller(newDesk(), { owner: 'host-a:1' });
    const b = poller(newDesk(), { owner: 'host-b:2' });
    expect(await a.runOnce()).toMatchObject({ skipped: false, fetched: 1 });
    await deliverLmtp(d, user, Buffer.from(readFixture('request-access-fr')));
    clock.advance(29_000);
    expect(await b.runOnce()).toMatchObject({ skipped: true }); // a's lease is still live
    clock.advance(1_000); // a has not renewed for 30 s: "dead"
    expect(await b.runOnce()).toMatchObject({ skipped: false, fetched: 1 });
    expect(await a.runOnce()).toMatchObject({ skipped: true }); // a woke up late: b holds it now
    expect(await listCases(desks[0]!.deps.database.db)).toHaveLength(2);
  });

  it('settles and moves mail in batches: a crash in the second batch keeps the first batch done', async () => {
    for (let i = 0; i < 25; i++) {
      await deliverLmtp(d, user, Buffer.from(Buffer.from(readFixture('request-access-en')).toString('latin1')
        .replace(/^Message-ID: .*$/m, `Message-ID: <batch-${i}@example.test>`)
        .replace(/^From: .*$/m, `From: P${i} <p${i}@example.test>`), 'latin1'));
    }
    const desk = newDesk();
    let seen = 0;
    const crashing = poller(desk, { batchSize: 10, hooks: { afterProcess: () => { if (++seen === 15) throw new Error('kill -9'); } } });
    await expect(crashing.runOnce()).rejects.toThrow('kill -9');
    expect([await folder('Processed'), await folder('INBOX')]).toEqual([10, 15]); // batch 1 is moved; batch 2 not
    expect(await poller(desk, { batchSize: 10 }).runOnce()).toMatchObject({ fetched: 10, moved: 15 }); // 5 settled, unmoved
    expect(await listCases(desk.deps.database.db)).toHaveLength(25);
    expect([await folder('Processed'), await folder('INBOX')]).toEqual([25, 0]);
  });

  it('the IMAP connection dropped mid-batch (server restart): after reconnecting, every case’s mail leaves INBOX', async () => {
    for (let i = 0; i < 5; i++) {
      await deliverLmtp(d, user, Buffer.from(Buffer.from(readFixture('request-erasure-en')).toString('latin1')
        .replace(/^Message-ID: .*$/m, `Message-ID: <kick-${i}@example.test>`)
        .replace(/^From: .*$/m, `From: K${i} <k${i}@example.test>`), 'latin1'));
    }
    const desk = newDesk();
    const s = drivenSleep();
    let processed = 0;
    // The server drops the session (as a restart would); wait until Dovecot lists no session of the user any more.
    const kick = async () => {
      await promisify(execFile)('doveadm', ['-c', d.conf, 'kick', user]);
      await vi.waitFor(async () => {
        const { stdout } = await promisify(execFile)('doveadm', ['-c', d.conf, 'who', user]);
        expect(stdout.split('\n').filter((l) => l.startsWith(user))).toEqual([]);
      }, WAIT);
    };
    const p = poller(desk, { sleep: s.sleep, hooks: { afterProcess: async () => { if (++processed === 3) await kick(); } } });
    p.start();
    try {
      await vi.waitFor(() => expect(s.pending).toHaveLength(1), WAIT);
      expect(p.status().state).toBe('down'); // the MOVE failed on the dropped connection
      s.release();
      await vi.waitFor(() => expect(p.status().state).toBe('up'), WAIT);
      expect(await listCases(desk.deps.database.db)).toHaveLength(5);
      expect([await folder('INBOX'), await folder('Processed')]).toEqual([0, 5]);
    } finally {
      await p.stop();
    }
  });

  it('backs off against a closed port: one attempt per pause, capped exponential delays, one log line per change', async () => {
    const port = await freePort(); // nothing listens here until the test starts a relay to Dovecot
    const { log, lines } = capturingLog();
    const desk = newDesk({ port, log });
    const s = drivenSleep();
    const p = poller(desk, { sleep: s.sleep });
    await deliverLmtp(d, user, Buffer.from(readFixture('request-objection-en')));
    p.start();
    let relay: net.Server | null = null;
    try {
      for (let k = 1; k <= 8; k++) {
        await vi.waitFor(() => expect(s.pending).toHaveLength(1), WAIT); // the poller is in its k-th pause…
        expect(p.status()).toMatchObject({ state: 'down', failures: k }); // …after exactly k attempts
        if (k === 8) relay = await startRelay(port, d.host, d.imapPort); // the server is back
        s.release();
      }
      await vi.waitFor(() => expect(p.status().state).toBe('up'), WAIT);
      expect(await listCases(desk.deps.database.db)).toHaveLength(1);
      // deps.random is 0.5: each delay is 3/4 of 1 s · 2^(k-1), capped at 60 s.
      expect(s.asked.slice(0, 8)).toEqual([750, 1500, 3000, 6000, 12000, 24000, 45000, 45000]);
      const changes = lines.filter((l) => /mailbox/.test(l.msg)).map((l) => l.msg);
      expect(changes).toEqual(['mailbox poll failed (server unreachable or an unexpected error); retrying with backoff', 'mailbox poll working again']);
    } finally {
      await p.stop();
      await new Promise<void>((r) => (relay ? relay.close(() => r()) : r()));
    }
  });

  it('an unexpected error in the poller is logged once and the poller restarts itself; nothing is lost', async () => {
    const { log, lines } = capturingLog();
    const desk = newDesk({ log });
    const s = drivenSleep();
    let boom = true;
    const p = poller(desk, { sleep: s.sleep, hooks: { afterStore: () => { if (boom) { boom = false; throw new TypeError('a bug'); } } } });
    await deliverLmtp(d, user, Buffer.from(readFixture('request-rectification-en')));
    p.start();
    try {
      await vi.waitFor(() => expect(s.pending).toHaveLength(1), WAIT);
      expect(p.status()).toMatchObject({ state: 'down', failures: 1 });
      s.release();
      await vi.waitFor(() => expect(p.status().state).toBe('up'), WAIT);
      expect(await listCases(desk.deps.database.db)).toHaveLength(1);
      expect(await folder('INBOX')).toBe(0);
      expect(lines.filter((l) => l.level >= 40).map((l) => [l.msg, l.err])).toEqual([['mailbox poll failed (server unreachable or an unexpected error); retrying with backoff', 'a bug']]);
    } finally {
      await p.stop();
    }
  });
});

/** A TCP relay from `port` to the IMAP server: the "server restarted" on the port the poller was given. */
function startRelay(port: number, host: string, target: number): Promise<net.Server> {
  const server = net.createServer((socket) => {
    const upstream = net.connect(target, host);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
