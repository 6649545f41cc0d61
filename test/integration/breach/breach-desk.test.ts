/**
 * The breach desk's use cases on SQLite and PostgreSQL: a controller's breach assessed, notified late (refused
 * without reasons for the delay, changing nothing), the people told in their languages at a rate limit; a
 * processor's incident alerting two customers with a supplement; "not a breach" kept in the register.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listNotifications, recipientProgress } from '../../../src/adapters/db/breach-repository.ts';
import { findCaseByNumber } from '../../../src/adapters/db/case-repository.ts';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { addCustomers, customersForRequests, linkBreachCustomers } from '../../../src/app/breach/customers.ts';
import { registerEntries } from '../../../src/app/breach/register.ts';
import { importRecipients } from '../../../src/app/breach/report-incident.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { deliverOutbox } from '../../../src/app/deliver-outbox.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { sweepReminders } from '../../../src/app/sweep-reminders.ts';
import { registerCsv } from '../../../src/domain/breach/register.ts';
import type { Desk } from '../../../src/main.ts';
import { controllerFor } from '../../../src/app/processor-forward.ts';
import type { Understanding } from '../../../src/domain/intake/understanding.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';
import { recorder } from '../../support/scenario.ts';

const AWARE = '2026-03-27T09:00:00.000Z';
const DPO = { id: 'U0DPO', role: 'dpo' as const };
const FACTS = {
  nature: 'confidentiality: a backup bucket was readable without login',
  subject_categories: 'customers; newsletter subscribers',
  subjects_approx: 'about 1,200',
  record_categories: 'names; e-mail addresses',
  records_approx: 'about 3,000',
  consequences: 'phishing mails using the leaked addresses',
  measures: 'bucket closed\naccess logs reviewed',
};

describe.each(testDatabases())('the breach desk on $name', (tdb) => {
  let desk: Desk;
  let drop: () => Promise<void>;
  const clock = virtualClock(AWARE);
  const start = async (env: Record<string, string> = {}) => {
    const f = await freshDatabase(tdb);
    drop = f.drop;
    clock.set(AWARE);
    desk = testDesk(f.url, { clock, env: { BREACH_NOTICES_PER_MINUTE: '2', ...env } });
  };
  afterEach(async () => {
    await desk.close();
    await drop();
  });
  const open = async () =>
    (
      await openCase(
        desk.deps,
        {
          kind: 'breach',
          channel: 'slack',
          receivedAt: new Date(AWARE),
          awareAt: new Date(AWARE),
          actor: DPO,
        },
        clock(),
      )
    ).case;
  let n = 0;
  const record = (number: string, event: string, fields: Record<string, unknown>) =>
    recordCaseEvent(desk.deps, { caseNumber: number, type: event, actor: DPO, fields, key: `test:${++n}` }, clock());

  describe('controller', () => {
    beforeEach(() => start());

    it('a notification after 72 h is refused without reasons (nothing changes), recorded with them; the people told in their languages', async () => {
      const c = await open();
      expect(
        await record(c.number, 'Assessed', {
          ...FACTS,
          risk: 'high',
          reasons: 'contact data of many people',
          aware_rationale: 'the alert was confirmed',
        }),
      ).toMatchObject({ ok: true, case: { state: 'assessed' } });
      clock.set('2026-03-30T17:00:00Z'); // 80 h after awareness
      const late = await record(c.number, 'AuthorityNotified', { phase: 'initial', reference: 'LDA-4711' });
      expect(late).toMatchObject({ ok: false, code: 'LATE_REASONS_REQUIRED' });
      expect((await findCaseByNumber(desk.deps.database.db, c.number))!.state).toBe('assessed');
      expect(await listNotifications(desk.deps.database.db, c.id)).toEqual([]);
      const ok = await record(c.number, 'AuthorityNotified', {
        phase: 'initial',
        reference: 'LDA-4711',
        late_reasons: 'forensic analysis over the weekend',
      });
      expect(ok).toMatchObject({ ok: true, case: { state: 'notified' } });
      const [phase] = await listNotifications(desk.deps.database.db, c.id);
      expect(phase).toMatchObject({
        audience: 'authority',
        phase: 'initial',
        reference: 'LDA-4711',
        lateReasons: 'forensic analysis over the weekend',
      });
      expect(String(phase!.given.markdown)).toContain('forensic analysis over the weekend');
      expect(await record(c.number, 'AuthorityNotified', { phase: 'follow-up', reference: 'LDA-4711' })).toMatchObject({
        ok: true,
      });

      expect(await record(c.number, 'SubjectsNotified', {})).toMatchObject({ ok: false, code: 'DECISION_REQUIRED' });
      expect(
        await record(c.number, 'SubjectsNotificationDecided', {
          decision: 'communicate',
          reasons: 'high risk: phishing',
        }),
      ).toMatchObject({ ok: true });
      const bad = await importRecipients(
        desk.deps,
        c.number,
        'email,language\nana@example.test,es\nnobody\n',
        DPO,
        clock(),
      );
      expect(bad).toMatchObject({
        ok: false,
        code: 'CSV_INVALID',
        message: expect.stringContaining('line 3: "nobody" is not an e-mail address'),
      });
      const csv =
        'email,language,name\nana@example.test,de,Ana Beispiel\nbob@example.test,en,\nANA@example.test,de,\ncleo@example.test,de,\n';
      expect(await importRecipients(desk.deps, c.number, csv, DPO, clock())).toMatchObject({
        ok: true,
        added: 3,
        duplicates: 1,
      });
      const sent = await record(c.number, 'SubjectsNotified', {
        recommendations: 'be wary of mails asking for your password',
      });
      expect(sent).toMatchObject({ ok: true });
      expect(
        (await listOutbox(desk.deps.database.db, { caseId: c.id })).filter((o) => o.kind === 'breach-subject-notice'),
      ).toHaveLength(3);
      expect(await record(c.number, 'SubjectsNotified', {})).toMatchObject({ ok: false, code: 'NO_RECIPIENTS' });

      const r = recorder(clock);
      await deliverOutbox(desk.deps, r.transports, { owner: 't' });
      const notices = () => r.log.filter((d) => d.kind === 'breach-subject-notice');
      expect(notices().map((d) => d.to)).toEqual(['mail:ana@example.test', 'mail:bob@example.test']);
      expect(await recipientProgress(desk.deps.database.db, c.id)).toMatchObject({
        total: 3,
        sent: 2,
        pending: 1,
        failed: 0,
      });
      clock.advance(60_000);
      await deliverOutbox(desk.deps, r.transports, { owner: 't' });
      expect(notices().map((d) => d.to)).toHaveLength(3);
      const subjects = notices().map((d) => String(d.row.payload.subject));
      expect(subjects[0]).toContain('Wichtige Information');
      expect(subjects[1]).toContain('important information');
      expect(String(notices()[0]!.row.payload.text)).toContain('Ana Beispiel');
      expect(String(notices()[1]!.row.payload.text)).toContain('be wary of mails');

      const csvOut = registerCsv(await registerEntries(desk.deps.database.db));
      for (const s of [
        'high',
        'initial@2026-03-30T17:00:00.000Z ref=LDA-4711',
        'forensic analysis over the weekend',
        'communicate',
        '3/0/0',
        'the alert was confirmed',
      ]) {
        expect(csvOut).toContain(s);
      }
    });

    it('Art. 34(3)(c): disproportionate effort — the public communication is recorded instead of notices', async () => {
      const c = await open();
      await record(c.number, 'Assessed', { ...FACTS, risk: 'high', reasons: 'addresses of the people unknown' });
      const exempt = { decision: 'exempt', ground: 'c', reasons: 'no contact details for most of the people' };
      expect(await record(c.number, 'SubjectsNotificationDecided', exempt)).toMatchObject({
        ok: false,
        message: expect.stringContaining('public communication'),
      });
      const text = 'Notice on our website and in two newspapers from 1 April 2026';
      expect(await record(c.number, 'SubjectsNotificationDecided', { ...exempt, public_text: text })).toMatchObject({
        ok: true,
        case: { state: 'assessed' },
      });
      expect(await record(c.number, 'SubjectsNotified', {})).toMatchObject({ ok: false, code: 'DECISION_REQUIRED' });
      const [e] = await registerEntries(desk.deps.database.db);
      expect(registerCsv([e!])).toContain(`exempt,c,no contact details for most of the people`);
      expect(e!.notifications).toMatchObject([{ audience: 'public', phase: 'public' }]);
      expect(e!.record.subjects).toMatchObject({ publicText: text, by: 'U0DPO' });
    });

    it('"not a breach" is a documented decision that keeps the register entry; a controller alerts no customer', async () => {
      const c = await open();
      expect(await record(c.number, 'CustomerNotified', {})).toMatchObject({ ok: false });
      expect(await record(c.number, 'NotABreach', {})).toMatchObject({
        ok: false,
        message: expect.stringContaining('reasons'),
      });
      expect(
        await record(c.number, 'NotABreach', { reasons: 'blocked login attempts; no account was accessed' }),
      ).toMatchObject({ ok: true, case: { state: 'not_notifiable' } });
      expect(
        await recordCaseEvent(
          desk.deps,
          { caseNumber: c.number, type: 'Closed', actor: DPO, fields: { outcome: 'rate limit on the login endpoint' } },
          clock(),
        ),
      ).toMatchObject({ ok: true });
      const [e] = await registerEntries(desk.deps.database.db, {
        from: new Date('2026-03-01'),
        to: new Date('2026-04-01'),
      });
      expect(e).toMatchObject({
        state: 'closed',
        outcome: 'rate limit on the login endpoint',
        record: { decision: { kind: 'not_a_breach', by: 'U0DPO' } },
      });
      expect(await registerEntries(desk.deps.database.db, { from: new Date('2026-04-01') })).toEqual([]);
    });
  });

  describe('processor', () => {
    beforeEach(() => start({ ORG_ROLE: 'processor' }));

    it('two customers alerted at their security addresses in their languages, then a supplement; never the authority', async () => {
      expect(
        await addCustomers(
          desk.deps,
          [
            {
              id: 'acme',
              name: 'Acme Shop',
              domains: ['acme.example'],
              securityAddress: 'security@acme.example',
              language: 'en',
            },
            {
              id: 'bergbau',
              name: 'Bergbau AG',
              domains: ['bergbau.example'],
              requestAddress: 'datenschutz@bergbau.example',
              language: 'de',
              noticeHours: 48,
            },
          ],
          clock(),
        ),
      ).toMatchObject({ ok: true });
      const c = await open();
      expect(await record(c.number, 'CustomerNotified', {})).toMatchObject({ ok: false, code: 'NO_CUSTOMERS' });
      expect(await linkBreachCustomers(desk.deps, c.number, ['acme', 'nope'], DPO, clock())).toMatchObject({
        ok: false,
        code: 'CUSTOMER_NOT_FOUND',
      });
      expect(await linkBreachCustomers(desk.deps, c.number, ['acme', 'bergbau'], DPO, clock())).toMatchObject({
        ok: true,
        linked: ['acme', 'bergbau'],
      });
      expect(await record(c.number, 'AuthorityNotified', { phase: 'initial' })).toMatchObject({
        ok: false,
        code: 'NOT_FOR_CASE_ROLE',
      });
      const tracks = async () =>
        (
          await desk.deps.database.db
            .selectFrom('reminders')
            .select(['rule_id', 'occurrence'])
            .where('case_id', '=', c.id)
            .where('rule_id', 'like', 'customer-alert>%')
            .where('state', '=', 'planned')
            .orderBy('fire_at')
            .orderBy('rule_id')
            .execute()
        ).map((r) => r.occurrence);
      expect(await tracks()).toEqual([
        'bergbau:half:dpo',
        'acme:half:dpo',
        'bergbau:6h:dpo',
        'bergbau:due:dpo',
        'acme:6h:dpo',
        'acme:due:dpo',
      ]);
      clock.set('2026-03-28T09:00:00Z');
      expect(await record(c.number, 'CustomerNotified', { customers: 'acme' })).toMatchObject({
        ok: true,
        case: { state: 'notified' },
      });
      expect(await tracks()).toEqual(['bergbau:half:dpo', 'bergbau:6h:dpo', 'bergbau:due:dpo']);
      await sweepReminders(desk.deps, clock()); // Bergbau (48 h) is still to be alerted: the DPO is reminded
      const reminded = (await listOutbox(desk.deps.database.db))
        .filter((o) => o.kind === 'reminder')
        .map((o) => JSON.stringify(o.payload.items));
      expect(reminded.join()).toContain('customer-alert>bergbau');
      expect(reminded.join()).not.toContain('customer-alert>acme');
      expect(await record(c.number, 'CustomerNotified', { customers: 'bergbau' })).toMatchObject({ ok: true });
      expect(await tracks()).toEqual([]);
      expect(
        await record(c.number, 'Assessed', { ...FACTS, risk: 'high', reasons: 'confirmed exfiltration' }),
      ).toMatchObject({ ok: false });
      clock.set('2026-03-30T12:00:00Z'); // after Bergbau's 48 h — but both were alerted in time; a supplement needs no delay reason
      expect(await record(c.number, 'CustomerNotified', { ...FACTS })).toMatchObject({ ok: true });
      const mails = (await listOutbox(desk.deps.database.db, { caseId: c.id })).filter(
        (o) => o.kind === 'incident-notice',
      );
      expect(mails.map((m) => [m.payload.to, String(m.payload.subject).replace(/^.*: /, '')])).toEqual([
        ['security@acme.example', 'security incident notification – initial notice'],
        ['datenschutz@bergbau.example', 'Meldung eines Sicherheitsvorfalls – Erstmeldung'],
        ['security@acme.example', 'security incident notification – supplement 1'],
        ['datenschutz@bergbau.example', 'Meldung eines Sicherheitsvorfalls – Nachtrag 1'],
      ]);
      expect(String(mails[0]!.payload.text)).toContain('not yet known');
      expect(String(mails[2]!.payload.text)).toContain('about 1,200');
      const csvOut = registerCsv(await registerEntries(desk.deps.database.db));
      expect(csvOut).toContain('Acme Shop; Bergbau AG');
      // A request that names a customer is forwarded with the same customer data (no PROCESSOR_CONTROLLERS needed).
      const request = {
        requester: { email: 'jo@mail.bergbau.example' },
        original: { subject: 'Auskunft', text: 'bitte' },
      } as unknown as Understanding;
      expect(controllerFor(await customersForRequests(desk.deps.database.db, desk.deps.config), request)).toEqual({
        customer: 'Bergbau AG',
        address: 'datenschutz@bergbau.example',
      });
      expect(csvOut).toContain('Acme Shop supplement-1@2026-03-30T12:00:00.000Z');
    });
  });
});
