/**
 * Proves the real-server test harness: the shared Dovecot (LMTP in, IMAP out, APPEND, auto-created mailboxes),
 * a private Dovecot for restart/UIDVALIDITY, and the in-process SMTP sink with programmed failures.
 */
import { rmSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendImap, deliverLmtp, dovecotOrSkip, freshUser, imapOptions, listMailbox, startDovecot, type DovecotServer,
} from '../../support/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';

const d = dovecotOrSkip();

function rawMail(subject: string, messageId: string): string {
  return [
    'From: Alice <alice@example.org>', 'To: dpo@example.com', `Subject: ${subject}`, `Message-ID: <${messageId}>`,
    'Date: Wed, 11 Mar 2026 08:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '',
    'Please delete my data.', '',
  ].join('\r\n');
}

describe.skipIf(!d)('shared Dovecot from global-setup', () => {
  const server = d!;
  const user = freshUser();

  it('delivers over LMTP into INBOX of a fresh user, listed over IMAP', async () => {
    await deliverLmtp(server, user, rawMail('Auskunft bitte', 'lmtp-1@example.org'));
    const inbox = await listMailbox(server, user, 'INBOX');
    expect(inbox).toEqual([{ uid: 1, messageId: '<lmtp-1@example.org>', subject: 'Auskunft bitte' }]);
  });

  it('APPENDs with flags into any mailbox', async () => {
    const res = await appendImap(server, user, rawMail('seeded', 'append-1@example.org'), 'Quarantine', ['\\Seen']);
    expect(res.uid).toBe(1);
    expect(await listMailbox(server, user, 'Quarantine')).toEqual([{ uid: 1, messageId: '<append-1@example.org>', subject: 'seeded' }]);
    const client = new ImapFlow(imapOptions(server, user));
    await client.connect();
    try {
      await client.mailboxOpen('Quarantine');
      const [m] = await client.fetchAll('1', { uid: true, flags: true }, { uid: true });
      expect([...(m?.flags ?? [])]).toContain('\\Seen');
    } finally {
      await client.logout();
    }
  });

  it('auto-creates Processed, Quarantine and Sent for every user', async () => {
    const other = freshUser('auto');
    const client = new ImapFlow(imapOptions(server, other));
    await client.connect();
    try {
      const paths = (await client.list()).map((m) => m.path).sort();
      expect(paths).toEqual(['INBOX', 'Processed', 'Quarantine', 'Sent']);
    } finally {
      await client.logout();
    }
    expect(await listMailbox(server, other, 'Processed')).toEqual([]);
  });

  it('accepts any user name, but only the one password', async () => {
    const client = new ImapFlow({ ...imapOptions(server, 'plain-name'), auth: { user: 'plain-name', pass: 'wrong' } });
    client.on('error', () => {});
    const started = Date.now();
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
    expect(Date.now() - started).toBeLessThan(1_500); // auth_failure_delay = 0
    expect(await listMailbox(server, 'plain-name', 'INBOX')).toEqual([]);
  });
});

describe.skipIf(!d)('a private Dovecot: restart and UIDVALIDITY', () => {
  let server: DovecotServer;
  const user = freshUser();

  beforeAll(async () => {
    const t0 = performance.now();
    server = await startDovecot();
    console.log(`[harness] private Dovecot started in ${(performance.now() - t0).toFixed(0)} ms`);
  });
  afterAll(async () => {
    if (!server) return;
    const t0 = performance.now();
    await server.stop();
    console.log(`[harness] private Dovecot stopped in ${(performance.now() - t0).toFixed(0)} ms`);
    rmSync(server.dir, { recursive: true, force: true });
  });

  it('keeps mail and UIDVALIDITY across restart(), and an open client sees the close', async () => {
    await deliverLmtp(server, user, rawMail('before restart', 'r-1@example.org'));
    const client = new ImapFlow(imapOptions(server, user));
    client.on('error', () => {});
    await client.connect();
    const before = (await client.mailboxOpen('INBOX')).uidValidity;
    const closed = new Promise<void>((r) => client.once('close', () => r()));

    const t0 = performance.now();
    await server.restart();
    console.log(`[harness] restart() took ${(performance.now() - t0).toFixed(0)} ms`);
    await closed;
    expect(client.usable).toBe(false);

    await deliverLmtp(server, user, rawMail('after restart', 'r-2@example.org'));
    expect((await listMailbox(server, user, 'INBOX')).map((m) => m.subject)).toEqual(['before restart', 'after restart']);
    const again = new ImapFlow(imapOptions(server, user));
    await again.connect();
    try {
      expect((await again.mailboxOpen('INBOX')).uidValidity).toBe(before);
    } finally {
      await again.logout();
    }
  });

  it('setUidValidity changes client.mailbox.uidValidity, mail kept', async () => {
    await server.setUidValidity(user, 'INBOX', 12345);
    const client = new ImapFlow(imapOptions(server, user));
    await client.connect();
    try {
      await client.mailboxOpen('INBOX');
      expect(client.mailbox && client.mailbox.uidValidity).toBe(12345n);
      expect(client.mailbox && client.mailbox.exists).toBe(2);
    } finally {
      await client.logout();
    }
  });

  it('stop() leaves no process of the group behind and refuses connections', async () => {
    const probe = await startDovecot();
    try {
      await appendImap(probe, freshUser(), rawMail('x', 'x@example.org'));
    } finally {
      await probe.stop();
      rmSync(probe.dir, { recursive: true, force: true });
    }
    await expect(listMailbox(probe, freshUser(), 'INBOX')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await probe.stop(); // idempotent
  });
});

describe('SMTP sink', () => {
  let sink: SmtpSink;
  let transport: Transporter;
  const mail = (subject: string) => ({ from: 'privacy@example.com', to: 'requester@example.org', subject, text: `body of ${subject}` });

  beforeAll(async () => {
    sink = await startSmtpSink();
    transport = nodemailer.createTransport({ host: sink.host, port: sink.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
  });
  afterAll(async () => {
    // the pooled connection is still open here: close() must not wait 30 s for it
    const t0 = performance.now();
    await sink.close();
    transport.close();
    expect(performance.now() - t0).toBeLessThan(1_500);
  });

  it('captures a nodemailer message with envelope, raw bytes and the parsed Email', async () => {
    const before = sink.messages.length;
    const info = await transport.sendMail({ ...mail('Ihre Anfrage'), cc: 'audit@example.com' });
    expect(info.response).toMatch(/^250 /);
    const got = (await sink.waitFor(before + 1, 2_000))[before]!;
    expect(got.envelope).toEqual({ from: 'privacy@example.com', to: ['requester@example.org', 'audit@example.com'] });
    expect(got.parsed.subject).toBe('Ihre Anfrage');
    expect(got.parsed.text?.trim()).toBe('body of Ihre Anfrage');
    expect(got.raw.toString()).toContain('Subject: Ihre Anfrage');
  });

  it('a programmed 451 at DATA fails once, then the retry succeeds', async () => {
    const stored = sink.messages.length;
    const attempts = sink.attempts;
    sink.failNext({ at: 'data', code: 451 });
    await expect(transport.sendMail(mail('retry me'))).rejects.toMatchObject({ code: 'EMESSAGE', responseCode: 451, command: 'DATA' });
    expect(sink.messages).toHaveLength(stored);
    await transport.sendMail(mail('retry me'));
    expect(sink.attempts - attempts).toBe(2);
    expect(sink.messages.map((m) => m.parsed.subject).slice(stored)).toEqual(['retry me']);
  });

  it('451 at RCPT twice, then healed', async () => {
    const attempts = sink.attempts;
    sink.failNext({ at: 'rcpt', code: 451, times: 2, message: '4.2.0 Greylisted' });
    for (let i = 0; i < 2; i++) {
      await expect(transport.sendMail(mail('greylisted'))).rejects.toMatchObject({ code: 'EENVELOPE', responseCode: 451 });
    }
    await transport.sendMail(mail('greylisted'));
    expect(sink.attempts - attempts).toBe(3);
    expect(sink.messages.at(-1)?.parsed.subject).toBe('greylisted');
  });

  it('a programmed 550 is rejected with responseCode 550 (at DATA and at RCPT)', async () => {
    const stored = sink.messages.length;
    sink.failNext({ at: 'data', code: 550 });
    sink.failNext({ at: 'rcpt', code: 550, message: '5.1.1 No such user' });
    await expect(transport.sendMail(mail('rejected'))).rejects.toMatchObject({ responseCode: 550, command: 'DATA' });
    await expect(transport.sendMail(mail('rejected'))).rejects.toMatchObject({ code: 'EENVELOPE', responseCode: 550, response: expect.stringContaining('No such user') });
    expect(sink.messages).toHaveLength(stored);
  });

  it('waitFor resolves on arrival and rejects after its timeout', async () => {
    const n = sink.messages.length;
    const waiting = sink.waitFor(n + 2, 5_000);
    await Promise.all([transport.sendMail(mail('a')), transport.sendMail(mail('b'))]);
    expect((await waiting).length).toBeGreaterThanOrEqual(n + 2);
    await expect(sink.waitFor(n + 10, 50)).rejects.toThrow(/messages after 50 ms/);
  });
});
