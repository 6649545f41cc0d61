/** Mail routing through the real pipeline on SQLite and PostgreSQL: replies, evidence, caps, processor role, CLI. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCaseByNumber, listCases } from '../../../src/adapters/db/case-repository.ts';
import { listInbox } from '../../../src/adapters/db/mail-repository.ts';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { readAudit } from '../../../src/adapters/db/audit-log.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { ingestMail } from '../../../src/app/ingest-mail.ts';
import { run } from '../../../src/cli/program.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';
import { FIXTURE_DIR } from '../../unit/intake/intake-fixtures.ts';

const ENV = { MAIL_FROM: 'privacy@example.com', MAIL_RECEIVING_HOSTS: 'mx.example.com' };
const mail = (lines: string[]) => new TextEncoder().encode(lines.join('\r\n'));
const request = (n: number, from = 'Ada Example <ada.example@example.test>', extra: string[] = []) => mail([
  `Received: from mail.example.test by mx.example.com with ESMTP; Tue, 10 Mar 2026 09:0${n % 10}:00 +0000`,
  `From: ${from}`, 'To: dpo@example.com', `Subject: Data access request ${n}`, `Message-ID: <req-${n}@example.test>`,
  'Date: Tue, 10 Mar 2026 09:00:00 +0000', ...extra, '',
  'Under Art. 15 GDPR please send me a copy of all personal data you hold about me.', '',
]);

describe.each(testDatabases())('mail routing on $name', (tdb) => {
  let desk: Desk;
  let url: string;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-10T10:00:00Z');
  const ingest = (raw: Uint8Array) => ingestMail(desk.deps, { raw, deliveredAt: clock(), source: 'file' }, clock());

  beforeEach(async () => {
    ({ url, drop } = await freshDatabase(tdb));
    clock.set('2026-03-10T10:00:00Z');
    desk = testDesk(url, { clock, env: ENV });
  });
  afterEach(async () => { await desk.close(); await drop(); });

  it('resumes a paused clock when the data subject replies, and files auto-replies as evidence only', async () => {
    const opened = await ingest(request(1));
    const number = opened.caseNumber!;
    const identity = { reason: 'The address is not linked to an account.', proofNeeded: ['your customer number'] };
    await recordCaseEvent(desk.deps, { caseNumber: number, type: 'IdentityRequested', actor: { id: 'U1', role: 'agent' }, fields: { identity } }, clock());
    const ask = (await listOutbox(desk.deps.database.db)).find((o) => o.kind === 'identity-request')!;
    expect(ask.payload.inReplyTo).toBe('<req-1@example.test>');
    const ooo = await ingest(mail([
      'From: Ada Example <ada.example@example.test>', 'To: dpo@example.com', `Subject: Automatic reply: [${number}] identity`,
      'Auto-Submitted: auto-replied', 'Message-ID: <ooo-1@example.test>', `In-Reply-To: ${String(ask.payload.messageId)}`, '', 'I am away.', '',
    ]));
    expect(ooo).toMatchObject({ action: 'attach', reason: 'out_of_office', caseNumber: number });
    expect((await findCaseByNumber(desk.deps.database.db, number))!.state).toBe('identity_pending'); // not resumed by a robot
    clock.advance(3 * 86_400_000);
    const reply = await ingest(mail([
      'From: Ada Example <ada.example@example.test>', 'To: dpo@example.com', `Subject: Re: [${number}] identity`,
      'Message-ID: <reply-1@example.test>', `In-Reply-To: ${String(ask.payload.messageId)}`, '', 'My customer number is 4711.', '',
    ]));
    expect(reply).toMatchObject({ action: 'attach', caseNumber: number });
    const c = (await findCaseByNumber(desk.deps.database.db, number))!;
    expect(c.state).toBe('in_progress');
    const types = [];
    for await (const e of readAudit(desk.deps.database.db, 100, c.id)) types.push(e.type);
    expect(types).toEqual(expect.arrayContaining(['AutoReplyAttached', 'MailReceived', 'SubjectReplied']));
  });

  it('never reopens a closed case on a reply', async () => {
    const { caseNumber } = await ingest(request(2));
    await recordCaseEvent(desk.deps, { caseNumber: caseNumber!, type: 'Withdrawn', actor: { id: 'U1', role: 'agent' }, fields: { outcome: 'withdrawn by mail' } }, clock());
    const r = await ingest(mail(['From: ada.example@example.test', `Subject: Re: [${caseNumber}] thanks`, 'Message-ID: <r2@example.test>', 'In-Reply-To: <req-2@example.test>', '', 'Thanks!', '']));
    expect(r).toMatchObject({ action: 'attach', caseNumber });
    expect((await findCaseByNumber(desk.deps.database.db, caseNumber!))!.state).toBe('withdrawn');
    expect((await listOutbox(desk.deps.database.db)).some((o) => o.kind === 'reply-on-closed-case')).toBe(true);
  });

  it('caps automatic mail per recipient (5 in 24 h) and never acknowledges no-reply or own addresses', async () => {
    for (let i = 10; i < 16; i++) await ingest(request(i));
    const acks = (await listOutbox(desk.deps.database.db)).filter((o) => o.kind === 'acknowledgement');
    expect(acks).toHaveLength(5);
    await ingest(request(20, 'Robot <no-reply@example.test>'));
    expect((await listOutbox(desk.deps.database.db)).filter((o) => o.kind === 'acknowledgement')).toHaveLength(5);
    const withheld = [];
    for await (const e of readAudit(desk.deps.database.db)) if (e.type === 'MailWithheld') withheld.push(e.data.reason);
    expect(withheld).toEqual([expect.stringContaining('cap reached'), 'a no-reply style address']);
  });

  it('processor role: forwards the request with the original to the controller and only acknowledges receipt', async () => {
    await desk.close();
    desk = testDesk(url, { clock, env: { ...ENV, ORG_ROLE: 'processor', PROCESSOR_CONTROLLERS: 'shop.example.org=privacy@shop.example.org' } });
    const r = await ingest(request(30, 'Ada Example <ada.example@example.test>', ['X-Note: customer of shop.example.org']));
    const named = await ingest(mail([
      'From: Bo Example <bo@example.test>', 'To: dpo@example.com', 'Subject: Löschung meiner Daten', 'Message-ID: <req-31@example.test>', '',
      'Ich bin Kunde von shop.example.org. Bitte löschen Sie alle personenbezogenen Daten über mich (Art. 17 DSGVO).', '',
    ]));
    const out = await listOutbox(desk.deps.database.db);
    const forward = out.find((o) => o.kind === 'processor-forward')!;
    expect(forward.payload).toMatchObject({ to: 'privacy@shop.example.org' });
    expect((forward.payload.attachments as { contentType: string }[])[0]!.contentType).toBe('message/rfc822');
    expect(out.filter((o) => o.kind === 'processor-acknowledgement').map((o) => o.payload.to)).toEqual(['bo@example.test']);
    expect(out.some((o) => o.kind === 'acknowledgement')).toBe(false);
    expect(out.some((o) => o.kind === 'controller-unknown')).toBe(true); // the first named no configured customer
    expect([r.action, named.action]).toEqual(['create', 'create']);
  });

  it('dpo-desk ingest: one JSON line per file; --dry-run writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingest-'));
    const file = join(dir, 'req.eml');
    writeFileSync(file, readFileSync(join(FIXTURE_DIR, 'fwd-inline-outlook-de.eml')));
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: () => {}, env: { DATABASE_URL: url, LOG_LEVEL: 'silent', ...ENV } };
    expect(await run(['ingest', '--dry-run', '--json', file, join(FIXTURE_DIR, 'ooo-gmail-vacation.eml')], io)).toBe(0);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        file, action: 'create', auto: 'human', kind: 'request', request_types: ['objection'], language: 'de',
        requester: { email: 'petra.lang@example.test', name: 'Petra Lang', verified: false },
        forwarded_by: 'anna.keller@example.com', received_at: '2026-03-02T15:15:00.000Z', reason: null,
      }),
      expect.objectContaining({ action: 'ignore', auto: 'out_of_office', reason: 'out_of_office', case: null }),
    ]);
    expect(await listCases(desk.deps.database.db)).toHaveLength(0);
    expect(await listInbox(desk.deps.database.db)).toHaveLength(0);
    lines.length = 0;
    expect(await run(['ingest', '--json', file], io)).toBe(0);
    expect(JSON.parse(lines[0]!)).toMatchObject({ action: 'create', case: 'DSR-2026-0001' });
    const acks = (await listOutbox(desk.deps.database.db)).filter((o) => o.channel === 'mail');
    expect(acks).toHaveLength(0); // the requester came from body text only: nothing mailed until confirmed
  });
});
