/** The case use cases and repositories, on SQLite and on PostgreSQL. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDeadlines, getLinks, getPauses, getPrivate, linkCases, listCases, findCaseByNumber } from '../../../src/adapters/db/case-repository.ts';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { readAudit } from '../../../src/adapters/db/audit-log.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { deliverOutbox } from '../../../src/app/deliver-outbox.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { verifyAudit } from '../../../src/app/verify-audit.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';

const agent = { id: 'U-AGENT', role: 'agent' as const };
const dpo = { id: 'U-DPO', role: 'dpo' as const };

describe.each(testDatabases())('cases on $name', (tdb) => {
  let desk: Desk;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-05T10:00:00Z');

  beforeEach(async () => {
    const fresh = await freshDatabase(tdb);
    desk = testDesk(fresh.url, { clock });
    drop = fresh.drop;
    clock.set('2026-03-05T10:00:00Z');
  });
  afterEach(async () => { await desk?.close(); await drop?.(); });

  const request = (sourceKey?: string) => openCase(desk.deps, {
    kind: 'request', requestTypes: ['access', 'erasure'], channel: 'mail', receivedAt: new Date('2026-03-05T09:00:00Z'),
    requester: { email: 'ada.example@example.test', name: 'Ada Example', verified: true },
    subject: 'Auskunft', content: 'Please tell me what you hold about me.', actor: { id: 'system', role: 'system' }, sourceKey,
  }, clock());

  it('numbers cases per kind and year and stores facts apart from personal data', async () => {
    const a = await request();
    const b = await request();
    const breach = await openCase(desk.deps, {
      kind: 'breach', channel: 'slack', receivedAt: new Date('2026-03-27T09:00:00Z'), awareAt: new Date('2026-03-27T09:00:00Z'),
      actor: dpo,
    }, clock());
    expect([a.case.number, b.case.number, breach.case.number]).toEqual(['DSR-2026-0001', 'DSR-2026-0002', 'BRE-2026-0001']);
    const db = desk.deps.database.db;
    const stored = await findCaseByNumber(db, 'DSR-2026-0001');
    expect(stored).toMatchObject({ kind: 'request', state: 'received', requestTypes: ['access', 'erasure'], regimes: ['gdpr'], receivedDate: '2026-03-05' });
    expect(JSON.stringify(stored)).not.toContain('Ada');
    expect(await getPrivate(db, a.case.id)).toMatchObject({ requesterEmail: 'ada.example@example.test', requesterName: 'Ada Example', requesterVerified: true });
    expect(breach.case.governingDueAt?.toISOString()).toBe('2026-03-30T09:00:00.000Z');
  });

  it('stores every deadline with its rule and inputs, and the governing one is the earliest', async () => {
    await desk.close();
    desk = testDesk(desk.deps.config.databaseUrl, { clock, env: { ORG_REGIMES: 'gdpr,contract' } });
    const { case: c } = await request();
    const deadlines = await getDeadlines(desk.deps.database.db, c.id);
    expect(deadlines.map((d) => [d.regime, d.due])).toEqual([['contract', '2026-03-20'], ['gdpr', '2026-04-07']]);
    expect(deadlines[1]!.rule).toContain('GDPR Art. 12(3)');
    expect(deadlines[1]!.inputs).toMatchObject({ receivedAt: '2026-03-05T09:00:00.000Z', zone: 'Europe/Berlin', holidays: 'DE' });
    expect(c.governingRegime).toBe('contract');
  });

  it('opens one case per source key, however often the source is retried', async () => {
    const first = await request('mail:<abc@example.test>');
    const again = await request('mail:<abc@example.test>');
    expect(again.created).toBe(false);
    expect(again.case.id).toBe(first.case.id);
    expect(await listCases(desk.deps.database.db)).toHaveLength(1);
  });

  it('writes audit events and an outbox notice without personal data in the same transaction', async () => {
    const { case: c } = await request();
    const events = [];
    for await (const e of readAudit(desk.deps.database.db)) events.push(e);
    expect(events.map((e) => e.type)).toEqual(['CaseOpened', 'DeadlineComputed', 'MailQueued']);
    const outbox = await listOutbox(desk.deps.database.db, { caseId: c.id });
    expect(outbox.map((o) => [o.channel, o.kind]).sort()).toEqual([['mail', 'acknowledgement'], ['slack', 'case-opened']]);
    const ack = outbox.find((o) => o.kind === 'acknowledgement')!;
    expect(ack.payload).toMatchObject({ to: 'ada.example@example.test', subject: expect.stringContaining(`[${c.number}]`) });
    expect(ack.payload.text).toContain('7 April 2026');
    const notice = outbox.find((o) => o.kind === 'case-opened')!;
    const published = JSON.stringify([events, notice]);
    for (const pii of ['Ada', 'ada.example', 'Auskunft', 'what you hold']) expect(published).not.toContain(pii);
  });

  it('pauses for identity, resumes on the reply and moves the deadline by the paused days', async () => {
    const { case: c } = await request();
    clock.set('2026-03-10T10:00:00Z');
    const bare = await recordCaseEvent(desk.deps, { caseNumber: c.number, type: 'IdentityRequested', actor: agent }, clock());
    expect(bare).toMatchObject({ ok: false, code: 'TEMPLATE_CONTEXT_INVALID', message: expect.stringContaining('identity') });
    const identity = { reason: 'The address is not linked to an account.', proofNeeded: ['your customer number'] };
    expect(await recordCaseEvent(desk.deps, { caseNumber: c.number, type: 'IdentityRequested', actor: agent, fields: { identity } }, clock()))
      .toMatchObject({ ok: true });
    clock.set('2026-03-17T08:00:00Z');
    const resumed = await recordCaseEvent(desk.deps, { caseNumber: c.number, type: 'SubjectReplied', actor: { id: 'system', role: 'system' } }, clock());
    expect(resumed).toMatchObject({ ok: true, case: { state: 'in_progress' } });
    const db = desk.deps.database.db;
    expect(await getPauses(db, c.id)).toEqual([{ reason: 'identity', askedOn: '2026-03-10', answeredOn: '2026-03-17' }]);
    const [gdpr] = await getDeadlines(db, c.id);
    expect(gdpr).toMatchObject({ pausedDays: 7, due: '2026-04-13' }); // raw 5 April + 7 = 12 April (Sunday) → 13 April
  });

  it('refuses a transition with a clear code and changes nothing', async () => {
    const { case: c } = await request();
    const r = await recordCaseEvent(desk.deps, { caseNumber: c.number, type: 'Refused', actor: agent, fields: { reasons: 'manifestly unfounded' } }, clock());
    expect(r).toMatchObject({ ok: false, code: 'ROLE_NOT_PERMITTED' });
    expect((await findCaseByNumber(desk.deps.database.db, c.number))!.version).toBe(1);
    expect(await recordCaseEvent(desk.deps, { caseNumber: 'DSR-2026-0999', type: 'WorkStarted', actor: agent }, clock()))
      .toMatchObject({ ok: false, code: 'CASE_NOT_FOUND' });
  });

  it('refuses an extension after the original deadline or without reasons', async () => {
    const { case: c } = await request();
    clock.set('2026-04-08T10:00:00Z');
    const late = await recordCaseEvent(desk.deps, { caseNumber: c.number, type: 'ExtensionRequested', actor: dpo, fields: { reasons: 'complex' } }, clock());
    expect(late).toMatchObject({ ok: false, code: 'EXTENSION_NOTICE_LATE' });
    const noReasons = await recordCaseEvent(desk.deps, { caseNumber: c.number, type: 'ExtensionRequested', actor: dpo, fields: {} }, clock());
    expect(noReasons).toMatchObject({ ok: false, code: 'FIELD_REQUIRED' });
  });

  it('extends only once the notice with reasons was sent inside the first month', async () => {
    const { case: c } = await request();
    clock.set('2026-04-01T10:00:00Z');
    const asked = await recordCaseEvent(desk.deps, { caseNumber: c.number, type: 'ExtensionRequested', actor: dpo, fields: { reasons: 'Twelve years of archived records.' } }, clock());
    expect(asked).toMatchObject({ ok: true });
    const db = desk.deps.database.db;
    expect((await getDeadlines(db, c.id))[0]).toMatchObject({ due: '2026-04-07', extended: false });
    const sink = { sent: [] as string[], async send(row: { kind: string }) { this.sent.push(row.kind); return { ref: null }; } };
    await deliverOutbox(desk.deps, { mail: sink, slack: sink }, { owner: 'A' });
    expect(sink.sent).toContain('extension-notice');
    expect((await getDeadlines(db, c.id))[0]).toMatchObject({ due: '2026-04-07', extendedDue: '2026-06-05', extended: true });
    expect((await findCaseByNumber(db, c.number))!.governingDueAt!.toISOString()).toBe('2026-06-05T22:00:00.000Z');
    const again = await recordCaseEvent(desk.deps, { caseNumber: c.number, type: 'ExtensionRequested', actor: dpo, fields: { reasons: 'more' } }, clock());
    expect(again).toMatchObject({ ok: false, code: 'EXTENSION_ALREADY_USED' });
  });

  it('refuses the extension when its notice only went out after the original deadline', async () => {
    const { case: c } = await request();
    clock.set('2026-04-07T10:00:00Z');
    await recordCaseEvent(desk.deps, { caseNumber: c.number, type: 'ExtensionRequested', actor: dpo, fields: { reasons: 'complex' } }, clock());
    clock.set('2026-04-08T07:00:00Z'); // the mail server was down until after the deadline
    const sink = { async send() { return { ref: null }; } };
    await deliverOutbox(desk.deps, { mail: sink, slack: sink }, { owner: 'A' });
    const db = desk.deps.database.db;
    expect((await getDeadlines(db, c.id))[0]).toMatchObject({ extended: false, due: '2026-04-07' });
    expect((await findCaseByNumber(db, c.number))!.extension).toBeNull();
    const alerts = (await listOutbox(db, { caseId: c.id })).filter((o) => o.kind === 'dpo-alert');
    expect(alerts.map((a) => a.channel).sort()).toEqual(['mail', 'slack']);
    expect(alerts.find((a) => a.channel === 'mail')!.payload.text).toContain('after the original deadline');
  });

  it('closes a case, records the outcome, lists open cases by deadline and links cases', async () => {
    const a = await request();
    const b = await request();
    await recordCaseEvent(desk.deps, { caseNumber: a.case.number, type: 'WorkStarted', actor: agent }, clock());
    const answer = {
      access: { attachments: [{ filename: 'data.json' }], purposes: ['billing'], categories: ['contact details'], recipients: [], storagePeriod: '2 years' },
      erasure: { completedDate: '2026-03-05', scope: 'all account data', retained: [] },
      recipientNotice: { informed: [], notInformedReason: 'no recipients' },
      authority: { name: 'Example DPA', url: 'https://dpa.example.test' },
    };
    const closed = await recordCaseEvent(desk.deps, { caseNumber: a.case.number, type: 'Answered', actor: agent, fields: { outcome: 'data sent', ...answer }, attachments: [{ filename: 'data.json', bytes: new TextEncoder().encode('{}') }] }, clock());
    expect(closed).toMatchObject({ ok: true, case: { state: 'answered', outcome: 'data sent' } });
    const db = desk.deps.database.db;
    expect((await listCases(db, { open: true })).map((c) => c.number)).toEqual([b.case.number]);
    await linkCases(db, b.case.id, a.case.id, 'possibly_related', clock());
    await linkCases(db, b.case.id, a.case.id, 'possibly_related', clock());
    expect(await getLinks(db, b.case.id)).toEqual([{ number: a.case.number, relation: 'possibly_related' }]);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });
});
