/**
 * The mailbox against a real Dovecot on loopback, and sending against a real SMTP server (smtp-server):
 * new mail, IDLE wake-up, restart from the watermark, UIDVALIDITY change, dropped connection, folder moves,
 * two pollers, SMTP 4xx/5xx, replies threaded back, and crashes injected between fetch, commit and move.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getLinks, listCases } from '../../../src/adapters/db/case-repository.ts';
import { listInbox } from '../../../src/adapters/db/mail-repository.ts';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { createImapPoller, type PollerHooks } from '../../../src/adapters/mail/imap-poller.ts';
import { createSmtpTransport } from '../../../src/adapters/mail/smtp-transport.ts';
import { deliverOutbox } from '../../../src/app/deliver-outbox.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';
import { appendImap, deliverLmtp, dovecotOrSkip, freshUser, listMailbox } from '../../support/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { readFixture } from '../../unit/intake/intake-fixtures.ts';

const dovecot = dovecotOrSkip();
const [sqlite] = testDatabases();
class Crash extends Error {}

describe.skipIf(!dovecot)('the DPO mailbox on Dovecot', () => {
  const d = dovecot!;
  let user: string;
  let url: string;
  let drop: () => Promise<void>;
  let desks: Desk[];
  let sink: SmtpSink;
  const clock = virtualClock('2026-03-11T08:00:00Z');

  const env = () => ({
    IMAP_HOST: d.host, IMAP_PORT: String(d.imapPort), IMAP_SECURE: 'false', IMAP_USER: user, IMAP_PASSWORD: d.password,
    MAIL_SIGNING_SECRET: 'test-signing-secret-123', MAIL_RECEIVING_HOSTS: 'mx.example.com', MAIL_FROM: 'privacy@example.com',
    SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), MAIL_MAX_BYTES: String(256 * 1024), MAIL_SENT_MAILBOX: 'Sent',
  });
  const desk = (i = 0) => {
    while (desks.length <= i) desks.push(testDesk(url, { clock, env: env() }));
    return desks[i]!;
  };
  const poller = (i = 0, hooks?: PollerHooks, owner = `owner-${i}`) => createImapPoller(desk(i).deps, desk(i).deps.config.imap!, { owner, hooks });
  const deliver = (name: string) => deliverLmtp(d, user, Buffer.from(readFixture(name)));
  const cases = async () => listCases(desk().deps.database.db);
  const folder = async (name: string) => (await listMailbox(d, user, name)).length;

  beforeEach(async () => {
    user = freshUser('dpo');
    sink = await startSmtpSink();
    ({ url, drop } = await freshDatabase(sqlite!));
    desks = [];
  });
  afterEach(async () => {
    for (const x of desks) await x.close();
    await sink.close();
    await drop();
  });

  it('turns new mail into cases and moves it to Processed or Quarantine only after commit', async () => {
    await deliver('request-access-en');
    await deliver('ooo-exchange-en');
    const huge = Buffer.concat([Buffer.from(readFixture('request-access-de')), Buffer.from(`\r\n${'x'.repeat(76)}`.repeat(4000))]);
    await deliverLmtp(d, user, Buffer.from(huge.toString('latin1').replace(/^Message-ID: .*$/m, 'Message-ID: <huge@example.test>'), 'latin1'));
    const report = await poller().runOnce();
    expect(report).toMatchObject({ fetched: 3, moved: 3 });
    expect((await cases()).map((c) => c.requestTypes)).toEqual([['access']]);
    expect([await folder('INBOX'), await folder('Processed'), await folder('Quarantine')]).toEqual([0, 2, 1]);
    const quarantined = (await listInbox(desk().deps.database.db, { state: 'quarantined' }))[0]!;
    expect(quarantined).toMatchObject({ movedTo: 'Quarantine', reason: expect.stringContaining('too_large') });
    expect(quarantined.raw.byteLength).toBeGreaterThan(0);
    const alerts = (await listOutbox(desk().deps.database.db)).filter((o) => o.kind === 'dpo-alert');
    expect(alerts.map((a) => a.channel).sort()).toEqual(['mail', 'slack']);
  });

  it('wakes on IMAP IDLE without waiting for the poll interval', async () => {
    const p = poller();
    p.start(); // IMAP_POLL_SECONDS default is 60 s: only IDLE can bring the mail in within this test
    try {
      await vi.waitFor(async () => expect(await folder('INBOX')).toBe(0), { timeout: 5000 });
      await deliver('request-erasure-de');
      await vi.waitFor(async () => expect(await cases()).toHaveLength(1), { timeout: 10_000, interval: 100 });
    } finally {
      await p.stop();
    }
  });

  it('resumes from the watermark after a restart, and a changed UIDVALIDITY creates no duplicate', async () => {
    await deliver('request-access-de');
    await deliver('request-access-fr');
    expect(await poller(0).runOnce()).toMatchObject({ fetched: 2, moved: 2 });
    await deliver('request-access-es');
    expect(await poller(1, undefined, 'owner-0').runOnce()).toMatchObject({ fetched: 1 }); // the restarted process
    expect(await cases()).toHaveLength(3);

    const stuck: PollerHooks = { beforeMove: () => { throw new Crash('no move'); } };
    for (const n of ['request-erasure-de', 'request-erasure-fr']) await deliver(n);
    await expect(poller(2, stuck, 'owner-0').runOnce()).rejects.toThrow(Crash);
    expect(await cases()).toHaveLength(5);
    expect(await folder('INBOX')).toBe(2); // committed, not moved
    await promisify(execFile)('doveadm', ['-c', d.conf, 'mailbox', 'update', '-u', user, '--uid-validity', '4242', 'INBOX']);
    const after = await poller(3, undefined, 'owner-0').runOnce();
    expect(after.fetched).toBe(2); // re-read under the new UIDVALIDITY…
    expect(await cases()).toHaveLength(5); // …and recognised by Message-ID: no duplicate
    expect(await folder('INBOX')).toBe(0);
    expect(await folder('Processed')).toBe(5);
  });

  it('recovers from a dropped connection', async () => {
    const p = poller();
    p.start();
    try {
      await deliver('request-objection-en');
      await vi.waitFor(async () => expect(await cases()).toHaveLength(1), { timeout: 10_000, interval: 100 });
      await promisify(execFile)('doveadm', ['-c', d.conf, 'kick', user]);
      await deliver('request-objection-fr');
      await vi.waitFor(async () => expect(await cases()).toHaveLength(2), { timeout: 15_000, interval: 100 });
    } finally {
      await p.stop();
    }
  });

  it('lets one poller at a time read the mailbox (two instances)', async () => {
    for (const n of ['request-access-en', 'request-erasure-en', 'request-portability-en']) await deliver(n);
    const [a, b] = await Promise.all([poller(0).runOnce(), poller(1).runOnce()]);
    expect([a.skipped, b.skipped].sort()).toEqual([false, true]);
    expect(await cases()).toHaveLength(3);
  });

  it('sends through SMTP: 4xx retried until delivered once, 5xx failed on the case and the DPO alerted', async () => {
    await deliver('request-access-en');
    await deliver('request-erasure-en');
    await poller().runOnce();
    const smtp = createSmtpTransport(desk().deps.config.smtp!, 'privacy@example.com', 'Example Org');
    try {
      sink.failNext({ at: 'rcpt', code: 451, times: 2 });
      const mails = async () => (await listOutbox(desk().deps.database.db)).filter((o) => o.channel === 'mail' && o.kind === 'acknowledgement');
      const [first, second] = (await mails()).sort((x, y) => String(x.payload.to).localeCompare(String(y.payload.to)));
      const deliverAll = () => deliverOutbox(desk().deps, { mail: smtp, slack: { send: async () => ({ ref: null }) } }, { owner: 'A' });
      await deliverAll();
      clock.advance(10 * 60_000);
      await deliverAll();
      clock.advance(10 * 60_000);
      await deliverAll();
      expect((await mails()).every((m) => m.state === 'sent')).toBe(true);
      expect(sink.messages.filter((m) => m.parsed.subject?.includes('received your data protection request'))).toHaveLength(2);
      const ack = sink.messages.find((m) => m.envelope.to.includes(String(first!.payload.to)))!;
      expect(`<${ack.parsed.messageId?.replace(/^<|>$/g, '')}>`).toBe(first!.payload.messageId);
      expect(ack.parsed.headers.find((h) => h.key === 'auto-submitted')?.value).toBe('auto-replied');
      void second;

      await deliver('request-objection-en');
      await poller().runOnce();
      sink.failNext({ at: 'data', code: 550 });
      await deliverAll();
      const objection = (await cases()).find((c) => c.requestTypes.includes('objection'))!;
      expect(objection.deliveryFailures).toBe(1);
      const failed = (await listOutbox(desk().deps.database.db, { caseId: objection.id })).find((o) => o.state === 'failed')!;
      expect(failed.lastError).toContain('550');
      await deliverAll();
      expect(sink.messages.some((m) => m.envelope.to.includes('dpo@example.com') && m.parsed.subject?.includes(objection.number))).toBe(true);
    } finally {
      smtp.close();
    }
  });

  it('threads the data subject\'s reply back onto its case and ignores a forged reference', async () => {
    await deliver('request-access-en');
    await poller().runOnce();
    const smtp = createSmtpTransport(desk().deps.config.smtp!, 'privacy@example.com', 'Example Org');
    await deliverOutbox(desk().deps, { mail: smtp, slack: { send: async () => ({ ref: null }) } }, { owner: 'A' });
    smtp.close();
    const ack = sink.messages[0]!;
    const [c] = await cases();
    const original = readFixture('request-access-en');
    const originalId = /^Message-ID:\s*(<[^>]+>)/im.exec(Buffer.from(original).toString())![1];
    expect(ack.parsed.inReplyTo).toBe(originalId); // the acknowledgement answers the request's own message
    expect(ack.parsed.subject).toContain(`[${c!.number}]`);
    const reply = (messageId: string, ref: string) => [
      'Received: from mail.example.test by mx.example.com with ESMTP; Wed, 11 Mar 2026 09:00:00 +0000',
      `From: ${ack.envelope.to[0]}`, 'To: dpo@example.com', `Subject: Re: ${ack.parsed.subject}`,
      `Message-ID: <${messageId}@example.test>`, `In-Reply-To: ${ref}`, `References: ${ref}`, 'Date: Wed, 11 Mar 2026 09:00:00 +0000',
      '', 'Here is my customer number: 12345.', '',
    ].join('\r\n');
    await deliverLmtp(d, user, reply('reply-1', `<${ack.parsed.messageId!.replace(/^<|>$/g, '')}>`));
    const forged = reply('reply-2', `<dpo.${c!.number}.abcdef123456.0000000000000000@example.com>`)
      .replace('Here is my customer number: 12345.', 'Under Art. 15 GDPR please send me a copy of all personal data you hold about me.')
      .replace(`From: ${ack.envelope.to[0]}`, 'From: Eve Stranger <eve.stranger@example.org>'); // a stranger with the tag and a forged id
    await deliverLmtp(d, user, forged);
    await poller().runOnce();
    const rows = await listInbox(desk().deps.database.db);
    expect(rows.find((r) => r.action === 'attach')).toMatchObject({ caseId: c!.id });
    expect(rows.filter((r) => r.action === 'attach')).toHaveLength(1);
    const all = await cases();
    expect(all).toHaveLength(2); // the stranger's forged reference opened a case of its own…
    const other = all.find((x) => x.id !== c!.id)!;
    expect(await getLinks(desk().deps.database.db, other.id)).toEqual([{ number: c!.number, relation: 'possibly_related' }]); // …linked
  });

  it('does not send a mail again that an earlier attempt sent: the Sent folder is searched by its Message-ID', async () => {
    await deliver('request-erasure-en');
    await poller().runOnce();
    const deps = desk().deps;
    const smtp = desk().transports.mail!;
    const slack = { send: async () => ({ ref: null }) };
    // Attempt 1: the server accepted the mail and the provider filed it in Sent, then the reply was lost.
    const lost = { send: async (row: Parameters<typeof smtp.send>[0]) => {
      await smtp.send(row);
      await appendImap(d, user, Buffer.from(sink.messages.at(-1)!.raw), 'Sent');
      throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
    } };
    expect((await deliverOutbox(deps, { mail: lost, slack }, { owner: 'A' })).retried).toBe(1);
    expect(sink.messages).toHaveLength(1);
    clock.advance(3_600_000);
    expect((await deliverOutbox(deps, { mail: smtp, slack }, { owner: 'B' })).sent).toBe(1);
    expect(sink.messages).toHaveLength(1); // found in Sent: not sent again
    const ack = (await listOutbox(deps.database.db)).find((r) => r.channel === 'mail')!;
    expect(ack).toMatchObject({ state: 'sent', attempts: 2, transportRef: expect.stringContaining('found in the Sent folder') });
    expect(await listMailbox(d, user, 'Sent')).toHaveLength(1);
  });

  it('matches a bounce of our acknowledgement back to its case as a delivery failure, and files sent copies', async () => {
    await deliver('request-erasure-en');
    await poller().runOnce();
    const smtp = createSmtpTransport(desk().deps.config.smtp!, 'privacy@example.com', 'Example Org', { keepCopy: true });
    const transports = { mail: smtp, slack: { send: async () => ({ ref: null }) }, imap: desk().transports.imap! };
    await deliverOutbox(desk().deps, transports, { owner: 'A' });
    await deliverOutbox(desk().deps, transports, { owner: 'A' }); // the sent copy, queued when the send was recorded
    smtp.close();
    const ack = sink.messages[0]!;
    const sent = await listMailbox(d, user, 'Sent');
    expect(sent.map((m) => m.messageId)).toEqual([ack.parsed.messageId]);
    const dsn = Buffer.from(readFixture('dsn-postfix')).toString('utf8')
      .replace('<c.DSR-2026-0042.1.9f2c4e1ab07d@example.com>', ack.parsed.messageId!)
      .replace('Message-Id: <20260309090007.4R9XyZ1Kq2@mx.example.com>', 'Message-Id: <bounce-1@mx.example.com>');
    await deliverLmtp(d, user, dsn, '');
    await poller().runOnce();
    const [c] = await cases();
    expect(c!.deliveryFailures).toBe(1);
    expect((await listInbox(desk().deps.database.db)).find((r) => r.reason === 'bounce')).toMatchObject({ action: 'attach', caseId: c!.id });
    expect(await cases()).toHaveLength(1); // a bounce never opens a case
  });

  it.each([
    ['afterStore', 2], ['afterProcess', 2], ['beforeMove', 2], ['afterStore', 1], ['beforeMove', 3],
  ] as const)('a crash at %s of message %i, then a restart, leaves exactly one case per message', async (point, at) => {
    const names = ['request-access-en', 'request-erasure-fr', 'breach-stolen-laptop-en', 'request-access-en'];
    for (const n of names) await deliver(n); // the last is the same message delivered twice (two aliases)
    const uids = (await listMailbox(d, user, 'INBOX')).map((m) => m.uid);
    const hooks: PollerHooks = { [point]: (uid: number) => { if (uid === uids[at - 1]) throw new Crash(point); } };
    await expect(poller(0, hooks).runOnce()).rejects.toThrow(Crash);
    const after = await poller(1, undefined, 'owner-0').runOnce(); // the restarted process, same identity
    expect(after.skipped).toBe(false);
    const all = await cases();
    expect(all).toHaveLength(3);
    expect(new Set(all.map((c) => c.sourceKey)).size).toBe(3);
    expect(await folder('INBOX')).toBe(0);
    expect(await folder('Processed')).toBe(4);
    expect((await listInbox(desk().deps.database.db, { state: 'received' }))).toHaveLength(0);
  });
});
