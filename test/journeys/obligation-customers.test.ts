/**
 * The processor's seed obligations towards its customers, run end to end with no code of their own (their
 * workflows are YAML): a new sub-processor announced to every customer in its language with a 10-business-day
 * objection window from the notice being sent, an objection recorded, reminders before the window closes and
 * closure; and a customer's migration request after termination, accepted and completed within 30 days. Real Bolt
 * app over signed HTTP, SMTP sink, virtual time; SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findCaseByNumber, getDeadlines } from '../../src/adapters/db/case-repository.ts';
import { saveCustomer } from '../../src/adapters/db/customer-repository.ts';
import { sweepReminders } from '../../src/app/sweep-reminders.ts';
import type { Case } from '../../src/domain/case.ts';
import { testDatabases } from '../support/databases.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import {
  answer, command, deliver, expectNoPersonalData, openedView, startHarness, submit, USERS, type Harness,
} from '../integration/slack/harness.ts';

const ACME = 'ops@acme.example.com';
const BERGBAU = 'datenschutz@bergbau.example.test';

describe.each(testDatabases())('obligations towards customers, on $name', (tdb) => {
  let h: Harness;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startHarness(tdb, {
      SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), MAIL_SIGNING_SECRET: 'test-signing-secret-123',
      MAIL_FROM: 'privacy@example.com', ORG_ROLE: 'processor',
    });
    const now = h.clock();
    await saveCustomer(h.desk.deps.database.db, {
      id: 'acme', name: 'Acme Hosting', domains: ['acme.example.com'], requestAddress: ACME, securityAddress: null,
      language: 'en', noticeHours: 72,
    }, now);
    await saveCustomer(h.desk.deps.database.db, {
      id: 'bergbau', name: 'Bergbau Beispiel GmbH', domains: ['bergbau.example.test'], requestAddress: BERGBAU,
      securityAddress: null, language: 'de', noticeHours: 48,
    }, now);
  });
  afterAll(async () => { expectNoPersonalData(h.fake); await h?.close(); await sink?.close(); });

  const db = () => h.desk.deps.database.db;
  const mailsTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address));
  async function opened(workflow: string): Promise<Case> {
    return vi.waitFor(async () => {
      const row = await db().selectFrom('cases').select('number').where('workflow', '=', workflow).executeTakeFirstOrThrow();
      return (await findCaseByNumber(db(), row.number))!;
    });
  }

  it('a new sub-processor: notice to every customer in its language, objection window, objection, reminders, closure', async () => {
    const form = await openedView(h, (await command(h, USERS.dpo, 'new subprocessor-change')).trigger);
    expect(form.callback_id).toBe('open_workflow');
    await submit(h, USERS.dpo, form, {
      received_at: '2026-03-05T09:00:00Z', subprocessor: 'Nimbus Mail Ltd', purpose: 'Sends our transactional mail',
      location: 'Ireland', effective_date: '2026-04-15',
    });
    const c = await opened('subprocessor-change');
    expect(c.number).toMatch(/^SPC-2026-\d{4}$/);
    expect(await getDeadlines(db(), c.id)).toEqual([]); // the window starts when the notice goes out
    const notice = await command(h, USERS.dpo, `send-notice ${c.number}`);
    expect(await answer(notice)).toContain('notice sent to every customer');
    h.clock.set('2026-03-05T10:00:00Z');
    await deliver(h);
    await sink.waitFor(2);
    expect(mailsTo(ACME)).toHaveLength(1);
    expect(mailsTo(BERGBAU)).toHaveLength(1);
    expect(mailsTo(ACME)[0]!.parsed.text).toContain('Dear Acme Hosting team');
    expect(mailsTo(ACME)[0]!.parsed.text).toContain('Nimbus Mail Ltd');
    expect(mailsTo(BERGBAU)[0]!.parsed.text).toMatch(/Unterauftragsverarbeiter/);
    expect(mailsTo(BERGBAU)[0]!.parsed.text).toContain('10 Werktagen');
    // The window: 10 business days from the notice's delivery (Thursday 5 March → Thursday 19 March).
    const [window] = await getDeadlines(db(), c.id);
    expect(window).toMatchObject({ regime: 'contract', due: '2026-03-19', rule: 'contract: 10 business days' });

    const objection = await openedView(h, (await command(h, USERS.dpo, `objection ${c.number}`)).trigger);
    const customerInput = objection.blocks.find((b: any) => b.block_id === 'customer');
    expect(customerInput.element.options.map((o: any) => o.value)).toEqual(['acme', 'bergbau']);
    await submit(h, USERS.dpo, objection, { customer: 'bergbau', grounds: 'Data must stay in Germany under our works agreement' });
    expect(JSON.stringify((await findCaseByNumber(db(), c.number))!.facts.ObjectionRecorded)).toContain('bergbau');

    h.clock.set('2026-03-16T09:00:00Z'); // three business days before the window closes
    await sweepReminders(h.desk.deps, h.clock());
    await deliver(h);
    const dms = () => h.fake.of('chat.postMessage', (m) => m.params.channel === `D${USERS.dpo.slice(1)}` && JSON.stringify(m.params).includes(c.number));
    expect(dms().length).toBeGreaterThan(0);
    h.clock.set('2026-03-20T09:00:00Z'); // the window has closed: the DPO is told to decide
    const before = dms().length;
    await sweepReminders(h.desk.deps, h.clock());
    await deliver(h);
    expect(dms().length).toBeGreaterThan(before);

    const close = await openedView(h, (await command(h, USERS.dpo, `close ${c.number}`)).trigger);
    const resolutions = close.blocks.find((b: any) => b.block_id === 'resolution').element.options.map((o: any) => o.value);
    expect(resolutions).toEqual(['WindowClosed', 'ObjectionsResolved', 'ChangeWithdrawn']);
    await submit(h, USERS.dpo, close, { resolution: 'ObjectionsResolved', outcome: 'Bergbau stays on the EU-only mail route' });
    expect((await findCaseByNumber(db(), c.number))!.state).toBe('closed_objections_resolved');
    await deliver(h);
    expect(mailsTo(ACME)).toHaveLength(1); // each customer got its notice once
    expect(mailsTo(BERGBAU)).toHaveLength(1);
  });

  it('a migration request: accepted and completed within 30 days, the customer told each time in its language', async () => {
    h.clock.set('2026-04-01T09:00:00Z');
    const form = await openedView(h, (await command(h, USERS.agent, 'new migration-request')).trigger);
    expect(form.blocks.find((b: any) => b.block_id === 'customer').element.options.map((o: any) => o.value)).toEqual(['acme', 'bergbau']);
    await submit(h, USERS.agent, form, {
      received_at: '2026-04-01T08:00:00Z', customer: 'bergbau', terminated_on: '2026-03-31', scope: 'All mailboxes to their new host',
    });
    const c = await opened('migration-request');
    const [clock] = await getDeadlines(db(), c.id);
    expect(clock).toMatchObject({ due: '2026-05-01', rule: 'contract: 30 calendar days' });
    await answer(await command(h, USERS.agent, `take ${c.number}`));
    expect(await answer(await command(h, USERS.agent, `accept ${c.number}`))).toContain('accepted; the customer was told');
    await deliver(h);
    const accepted = await vi.waitFor(() => {
      const m = mailsTo(BERGBAU).filter((x) => x.parsed.subject?.includes(c.number));
      expect(m).toHaveLength(1);
      return m[0]!;
    });
    expect(accepted.parsed.text).toContain('Sehr geehrtes Team von Bergbau Beispiel GmbH');
    expect(accepted.parsed.text).toContain('All mailboxes to their new host');

    h.clock.set('2026-04-27T09:00:00Z'); // five days before the due date: the owner is reminded
    await sweepReminders(h.desk.deps, h.clock());
    await deliver(h);
    expect(h.fake.of('chat.postMessage', (m) => m.params.channel === `D${USERS.agent.slice(1)}` && JSON.stringify(m.params).includes(c.number)).length)
      .toBeGreaterThan(0);

    const done = await openedView(h, (await command(h, USERS.agent, `migrated ${c.number}`)).trigger);
    await submit(h, USERS.agent, done, { evidence: 'Export of 41 mailboxes handed over by SFTP on 2026-04-28' });
    await deliver(h);
    await vi.waitFor(() => expect(mailsTo(BERGBAU).filter((x) => x.parsed.subject?.includes(c.number))).toHaveLength(2));
    const after = (await findCaseByNumber(db(), c.number))!;
    expect(after.state).toBe('completed');
    expect(after.closedAt!.getTime()).toBeLessThan(new Date('2026-05-01T22:00:00Z').getTime());
    expect(mailsTo(ACME).filter((x) => x.parsed.subject?.includes(c.number))).toEqual([]);
  });
});
