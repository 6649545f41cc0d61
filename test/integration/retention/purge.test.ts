/**
 * Retention on SQLite and PostgreSQL in virtual time (gdpr-rules §7): content redacted 91 days after closure with
 * the facts kept, a legal hold keeps everything, the audit chain verifies after purges, a crash between two cases
 * and a rerun leave a consistent state, an answered erasure keeps only its proof, identity evidence is dropped.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAudit } from '../../../src/adapters/db/audit-log.ts';
import { findCaseByNumber, getDeadlines, getPrivate } from '../../../src/adapters/db/case-repository.ts';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { caseFootprint } from '../../../src/adapters/db/retention-repository.ts';
import { addCaseNote } from '../../../src/app/case-actions.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { deliverOutbox } from '../../../src/app/deliver-outbox.ts';
import { ingestMail } from '../../../src/app/ingest-mail.ts';
import { placeHold, releaseHold } from '../../../src/app/legal-hold.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { purge } from '../../../src/app/purge.ts';
import { verifyAudit } from '../../../src/app/verify-audit.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';

const ENV = { MAIL_FROM: 'privacy@example.com', MAIL_RECEIVING_HOSTS: 'mx.example.com' };
const agent = { id: 'U-AGENT', role: 'agent' as const };
const dpo = { id: 'U-DPO', role: 'dpo' as const };
const DAY = 86_400_000;
const mail = (lines: string[]) => new TextEncoder().encode(lines.join('\r\n'));
const request = (n: number, body: string, from = 'Ada Example <ada.example@example.test>') => mail([
  `Received: from mail.example.test by mx.example.com with ESMTP; Tue, 10 Mar 2026 09:0${n % 10}:00 +0000`,
  `From: ${from}`, 'To: dpo@example.com', `Subject: My request ${n}`, `Message-ID: <ret-${n}@example.test>`,
  'Date: Tue, 10 Mar 2026 09:00:00 +0000', '', body, '',
]);
const ACCESS = 'Under Art. 15 GDPR please send me a copy of all personal data you hold about me. '
  + 'I live at 12 Sample Lane.';
const ERASURE = 'Under Art. 17 GDPR please delete my account and all personal data about me.';
const ANSWER = {
  access: {
    attachments: [{ filename: 'data.json' }], purposes: ['billing'], categories: ['contact details'], recipients: [],
    storagePeriod: '2 years',
  },
  erasure: { completedDate: '2026-03-12', scope: 'all account data', retained: [] },
  recipientNotice: { informed: [], notInformedReason: 'no recipients' },
  authority: { name: 'Example DPA', url: 'https://dpa.example.test' },
};

describe.each(testDatabases())('retention on $name', (tdb) => {
  let desk: Desk;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-10T10:00:00Z');
  const sink = { async send() { return { ref: null }; } };
  const db = () => desk.deps.database.db;
  const ingestRaw = (raw: Uint8Array) => ingestMail(desk.deps, { raw, deliveredAt: clock(), source: 'file' }, clock());
  const ingest = async (n: number, body: string, from?: string) =>
    (await ingestRaw(request(n, body, from))).caseNumber!;
  const deliver = async () => {
    for (;;) {
      const r = await deliverOutbox(desk.deps, { mail: sink, slack: sink }, { owner: 'T' });
      if (!r.sent && !r.failed && !r.retried) return;
    }
  };
  const answer = async (number: string, outcome = 'Copy of the data sent to Ada Example') => {
    await recordCaseEvent(desk.deps, { caseNumber: number, type: 'WorkStarted', actor: agent }, clock());
    const fields = { outcome, ...ANSWER };
    const attachments = [{ filename: 'data.json', bytes: new TextEncoder().encode('{}') }]; // the copy of the data (Art. 15(3))
    const r = await recordCaseEvent(desk.deps, { caseNumber: number, type: 'Answered', actor: agent, fields, attachments }, clock());
    expect(r.ok).toBe(true);
  };
  const events = async (caseId: string, type: string) => {
    const out = [];
    for await (const e of readAudit(db(), 1000, caseId)) if (e.type === type) out.push(e);
    return out;
  };

  beforeEach(async () => {
    const fresh = await freshDatabase(tdb);
    drop = fresh.drop;
    clock.set('2026-03-10T10:00:00Z');
    desk = testDesk(fresh.url, { clock, env: ENV });
  });
  afterEach(async () => { await desk.close(); await drop(); });

  it('a case closed 91 days ago loses its content, keeps its facts; held and open cases keep everything', async () => {
    const a = await ingest(1, ACCESS);
    const held = await ingest(2, ACCESS);
    const open = await ingest(3, ACCESS);
    const ooo = await ingestRaw(mail([
      'From: Ada Example <ada.example@example.test>', 'To: dpo@example.com', 'Subject: Out of office',
      'Auto-Submitted: auto-replied', 'Message-ID: <ooo-9@example.test>', '',
      'I am away until Monday; call me on 0170 5555 1234.', '',
    ]));
    expect(ooo.caseNumber ?? null).toBeNull();
    const caseA = (await findCaseByNumber(db(), a))!;
    const note = { caseNumber: a, actor: agent, key: 'note-1', text: 'Ada called from her mobile' };
    await addCaseNote(desk.deps, note, clock());
    clock.set('2026-03-12T10:00:00Z');
    await answer(a);
    await answer(held);
    const breach = (await openCase(desk.deps, {
      kind: 'breach', channel: 'cli', receivedAt: clock(), awareAt: clock(), content: 'Laptop of Carla Example stolen',
      actor: dpo,
    }, clock())).case;
    const decide = (type: string, fields: Record<string, unknown>) =>
      recordCaseEvent(desk.deps, { caseNumber: breach.number, type, actor: dpo, fields }, clock());
    const reasons = 'Disk encrypted; Carla Example informed anyway';
    expect(await decide('NotNotifiable', { reasons })).toMatchObject({ ok: true });
    expect(await decide('Closed', { outcome: 'closed' })).toMatchObject({ ok: true });
    await deliver();
    expect((await placeHold(desk.deps, { caseNumber: held, actor: agent, reason: 'claim' }, clock())).ok).toBe(false);
    const hold = { caseNumber: held, actor: dpo, reason: 'Litigation pending (case 7 O 12/26)' };
    expect(await placeHold(desk.deps, hold, clock())).toMatchObject({ ok: true, case: { legalHold: true } });
    expect((await events(caseA.id, 'Answered'))[0]!.data.outcome).toBe('Copy of the data sent to Ada Example');

    clock.set(new Date(Date.parse('2026-03-12T10:00:00Z') + 89 * DAY)); // 91 days after the auto-reply came in
    expect(await purge(desk.deps, clock())).toMatchObject({ redacted: [], deleted: [], caselessMails: 1 });
    const caseless = await db().selectFrom('inbox_messages').select(['size', 'dedupe_key'])
      .where('case_id', 'is', null).execute();
    expect(caseless).toEqual([{ size: 0, dedupe_key: 'mid:ooo-9@example.test' }]);

    clock.set(new Date(Date.parse('2026-03-12T10:00:00Z') + 91 * DAY));
    const dry = await purge(desk.deps, clock(), { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, redacted: [a, breach.number], deleted: [], held: 1, caselessMails: 0 });
    expect((await getPrivate(db(), caseA.id))!.content).toContain('Sample Lane'); // the dry run changed nothing
    expect(await purge(desk.deps, clock())).toMatchObject({ dryRun: false, redacted: [a, breach.number], held: 1 });
    // A breach keeps its register entry (Art. 33(5)): the description and the reasons of its decisions.
    expect(await getPrivate(db(), breach.id))
      .toMatchObject({ content: 'Laptop of Carla Example stolen', redactedAt: clock() });
    expect((await events(breach.id, 'NotNotifiable'))[0]!.data.reasons).toBe('Disk encrypted; Carla Example informed anyway');

    // Content gone: identity, words, notes, raw mail, sent copies, free text in the audit log.
    expect(await getPrivate(db(), caseA.id)).toMatchObject({
      requesterEmail: null, requesterName: null, subject: null, content: null, redactedAt: clock(),
    });
    const inbox = await db().selectFrom('inbox_messages').select(['size', 'raw', 'dedupe_key'])
      .where('case_id', '=', caseA.id).execute();
    expect(inbox.map((m) => [m.size, m.raw.length, m.dedupe_key])).toEqual([[0, 0, 'mid:ret-1@example.test']]);
    const outbox = await listOutbox(db(), { caseId: caseA.id });
    expect(outbox.length).toBeGreaterThan(2);
    expect(outbox.every((o) => JSON.stringify(o.payload) === '{"redacted":true}' && o.sentAt)).toBe(true);
    expect(await db().selectFrom('case_notes').select('id').where('case_id', '=', caseA.id).execute()).toEqual([]);
    expect((await events(caseA.id, 'Answered'))[0]!.data.outcome)
      .toEqual({ sealed: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    // Facts kept: the case, its decision, its clocks, the hash of the address, and the audit trail.
    expect(await findCaseByNumber(db(), a))
      .toMatchObject({ state: 'answered', requestTypes: ['access'], receivedDate: '2026-03-10' });
    expect((await getDeadlines(db(), caseA.id)).map((d) => d.due)).toEqual(['2026-04-10']);
    const participants = db().selectFrom('case_participants').select(['address_hash', 'role']);
    expect(await participants.where('case_id', '=', caseA.id).execute()).toHaveLength(1);
    const purged = await events(caseA.id, 'CaseContentRedacted');
    expect(purged).toHaveLength(1);
    expect(purged[0]!.data).toMatchObject({ number: a, private: 1, notes: 1, mails: 1, copies: outbox.length });
    const everything = JSON.stringify(await db().selectFrom('audit_events').selectAll().execute());
    expect(everything).not.toMatch(/Ada|Sample Lane|ada\.example|Carla/);

    // The held case and the open case are untouched.
    for (const number of [held, open]) {
      const c = (await findCaseByNumber(db(), number))!;
      expect(await getPrivate(db(), c.id))
        .toMatchObject({ requesterName: 'Ada Example', content: expect.stringContaining('Sample Lane') });
      const raw = await db().selectFrom('inbox_messages').select('size').where('case_id', '=', c.id)
        .executeTakeFirstOrThrow();
      expect(raw.size).toBeGreaterThan(0);
    }
    expect(await verifyAudit(db())).toMatchObject({ ok: true });
    expect(await purge(desk.deps, clock())).toMatchObject({ redacted: [], deleted: [] }); // nothing twice

    // 36 months after closure the facts go too; the hold still keeps its case until the DPO lifts it.
    clock.set('2029-03-13T10:00:00Z');
    expect(await purge(desk.deps, clock())).toMatchObject({ redacted: [], deleted: [a], held: 1 });
    expect(await caseFootprint(db(), caseA.id)).toEqual({
      cases: 0, case_private: 0, case_deadlines: 0, outbox: 0, inbox_messages: 0, audit_texts: 0, case_notes: 0,
    });
    expect((await events(caseA.id, 'CaseFactsDeleted'))[0]!.data).toMatchObject({ number: a, kind: 'request' });
    const release = { caseNumber: held, actor: dpo, reason: 'Litigation settled' };
    expect(await releaseHold(desk.deps, release, clock())).toMatchObject({ ok: true });
    const heldCase = (await findCaseByNumber(db(), held))!;
    expect((await events(heldCase.id, 'LegalHoldPlaced'))[0])
      .toMatchObject({ actor: 'U-DPO', data: { reason: 'Litigation pending (case 7 O 12/26)' } });
    expect(await purge(desk.deps, clock())).toMatchObject({ deleted: [held], held: 0 });
    expect(await findCaseByNumber(db(), open)).not.toBeNull();
    expect(await verifyAudit(db())).toMatchObject({ ok: true });
  });

  it('a crash between two cases, then a rerun, leaves every case done once and the chain intact', async () => {
    const numbers = [await ingest(1, ACCESS), await ingest(2, ACCESS), await ingest(3, ACCESS)];
    for (const n of numbers) await answer(n);
    await deliver();
    clock.set(new Date(clock().getTime() + 91 * DAY));
    let done = 0;
    await expect(purge(desk.deps, clock(), { afterCase: () => { if (++done === 1) throw new Error('power cut'); } }))
      .rejects.toThrow('power cut');
    const state = async () => Promise.all(numbers.map(async (n) => {
      const c = (await findCaseByNumber(db(), n))!;
      const p = (await getPrivate(db(), c.id))!;
      const redactions = (await events(c.id, 'CaseContentRedacted')).length;
      return { redacted: p.redactedAt !== null, content: p.content !== null, events: redactions };
    }));
    const after = await state();
    expect(after.filter((s) => s.redacted)).toEqual([{ redacted: true, content: false, events: 1 }]);
    const untouched = { redacted: false, content: true, events: 0 };
    expect(after.filter((s) => !s.redacted)).toEqual([untouched, untouched]);
    expect(await verifyAudit(db())).toMatchObject({ ok: true });
    const progress: number[] = [];
    const rerun = await purge(desk.deps, clock(), { progressEvery: 1, onProgress: (p) => progress.push(p.done) });
    expect(rerun.redacted).toHaveLength(2);
    expect(progress).toEqual([1, 2]);
    expect(await state()).toEqual(numbers.map(() => ({ redacted: true, content: false, events: 1 })));
    expect(await verifyAudit(db())).toMatchObject({ ok: true });
  });

  it('an answered erasure keeps only its proof at once; the queued answer goes out, then its copy goes', async () => {
    const n = await ingest(4, ERASURE, 'Bo Sample <bo.sample@example.test>');
    await deliver();
    await answer(n, 'Account of Bo Sample deleted');
    const c = (await findCaseByNumber(db(), n))!;
    expect(await getPrivate(db(), c.id)).toMatchObject({ requesterEmail: null, requesterName: null, content: null });
    const pending = (await listOutbox(db(), { caseId: c.id })).filter((o) => o.kind === 'answer-erasure');
    expect(pending.map((o) => [o.state, o.payload.to])).toEqual([['pending', 'bo.sample@example.test']]);
    await deliver();
    expect(await purge(desk.deps, clock())).toMatchObject({ redacted: [n] });
    const rows = await listOutbox(db(), { caseId: c.id });
    expect(rows.every((o) => o.state === 'sent' && JSON.stringify(o.payload) === '{"redacted":true}')).toBe(true);
    const participants = await db().selectFrom('case_participants').select('role')
      .where('case_id', '=', c.id).execute();
    expect(participants).toEqual([{ role: 'requester' }]);
    const messageIds = await db().selectFrom('case_messages').selectAll().where('case_id', '=', c.id).execute();
    expect(JSON.stringify(messageIds)).not.toContain('bo.sample');
    expect(await events(c.id, 'CaseContentRedacted')).toHaveLength(2);
    expect(await verifyAudit(db())).toMatchObject({ ok: true });
  });

  it('identity evidence is dropped once identity is verified; "verified: by, when, how" stays', async () => {
    const n = await ingest(5, ACCESS);
    const identity = { reason: 'The address is not linked to an account.', proofNeeded: ['a copy of your ID card'] };
    const asked = { caseNumber: n, type: 'IdentityRequested', actor: agent, fields: { identity } };
    await recordCaseEvent(desk.deps, asked, clock());
    const ask = (await listOutbox(db())).find((o) => o.kind === 'identity-request')!;
    clock.advance(DAY);
    await ingestRaw(mail([
      'From: Ada Example <ada.example@example.test>', 'To: dpo@example.com', `Subject: Re: [${n}] identity`,
      'Message-ID: <id-1@example.test>', `In-Reply-To: ${String(ask.payload.messageId)}`, '',
      'ID card number L01X00T47, born 1 May 1990.', '',
    ]));
    const c = (await findCaseByNumber(db(), n))!;
    const sizes = async () => (await db().selectFrom('inbox_messages').select(['dedupe_key', 'size'])
      .where('case_id', '=', c.id).orderBy('created_at').execute()).map((m) => [m.dedupe_key, m.size > 0]);
    expect(await sizes()).toEqual([['mid:ret-5@example.test', true], ['mid:id-1@example.test', true]]);
    const verified = { caseNumber: n, type: 'IdentityVerified', actor: agent, fields: { method: 'ID card seen' } };
    await recordCaseEvent(desk.deps, verified, clock());
    expect(await sizes()).toEqual([['mid:ret-5@example.test', true], ['mid:id-1@example.test', false]]);
    expect((await events(c.id, 'IdentityEvidenceRemoved'))[0])
      .toMatchObject({ actor: 'system', data: { mails: 1, how: 'ID card seen' } });
    expect((await events(c.id, 'IdentityVerified'))[0]).toMatchObject({ actor: 'U-AGENT', at: clock() });
    expect(await findCaseByNumber(db(), n)).toMatchObject({ identityVerifiedAt: clock() });
  });
});
