/**
 * A seed obligation run end to end through the real surfaces, with no code of its own: deletion after an account
 * is cancelled (workflows/cancellation-deletion.yaml). An agent opens it from Slack (`/dpo new cancellation-deletion`),
 * the account holder is told in advance in their language (SMTP), reminders come on time as the due date nears,
 * and the deletion is confirmed with its evidence recorded — each mail once. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findCaseByNumber, getDeadlines } from '../../src/adapters/db/case-repository.ts';
import { sweepReminders } from '../../src/app/sweep-reminders.ts';
import { testDatabases } from '../support/databases.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import {
  answer, command, deliver, expectNoPersonalData, openedView, startHarness, submit, USERS, type Harness,
} from '../integration/slack/harness.ts';

const HOLDER = { email: 'konto.inhaberin@example.test', name: 'Greta Beispiel' };

describe.each(testDatabases())('deletion after account cancellation, on $name', (tdb) => {
  let h: Harness;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startHarness(tdb, {
      SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), MAIL_SIGNING_SECRET: 'test-signing-secret-123',
      MAIL_FROM: 'privacy@example.com',
    });
  });
  afterAll(async () => { expectNoPersonalData(h.fake); await h?.close(); await sink?.close(); });

  it('opened in Slack, told in advance in German, reminded on time, deleted with evidence', async () => {
    const form = await openedView(h, (await command(h, USERS.agent, 'new cancellation-deletion')).trigger);
    expect(form.callback_id).toBe('open_workflow');
    const opened = await submit(h, USERS.agent, form, {
      received_at: '2026-03-02T08:00:00Z', 'requester.email': HOLDER.email, 'requester.name': HOLDER.name,
      language: 'de', account: 'ACC-77812',
    });
    expect(opened.ack).toEqual({});
    const c = await vi.waitFor(async () => {
      const row = await h.desk.deps.database.db.selectFrom('cases').select('number').where('workflow', '=', 'cancellation-deletion')
        .executeTakeFirstOrThrow();
      return (await findCaseByNumber(h.desk.deps.database.db, row.number))!;
    });
    expect(c.number).toMatch(/^DEL-2026-\d{4}$/);
    expect(c).toMatchObject({ state: 'cancelled', language: 'de', facts: { account: 'ACC-77812' } });
    const [clock] = await getDeadlines(h.desk.deps.database.db, c.id);
    expect(clock).toMatchObject({ regime: 'contract', due: '2026-04-01', rule: 'contract: 30 calendar days' });
    await answer(await command(h, USERS.agent, `take ${c.number}`));

    // The definition's word opens its form; submitting it mails the account holder in their language.
    const schedule = await openedView(h, (await command(h, USERS.agent, `schedule ${c.number}`)).trigger);
    expect(JSON.stringify(schedule.blocks)).toContain('Deletion date');
    const done = await submit(h, USERS.agent, schedule, { delete_on: '2026-03-25' });
    expect(JSON.stringify(done.ack)).toContain('the account holder was told the deletion date');
    await deliver(h);
    const advance = (await sink.waitFor(1)).filter((m) => m.envelope.to.includes(HOLDER.email));
    expect(advance).toHaveLength(1);
    expect(advance[0]!.envelope.to).toEqual([HOLDER.email]);
    expect(advance[0]!.parsed.subject).toContain(c.number);
    expect(advance[0]!.parsed.text).toMatch(/Guten Tag Greta Beispiel/);
    expect(advance[0]!.parsed.text).toContain('ACC-77812');
    expect(advance[0]!.parsed.text).toContain('2026-03-25');

    // Five days before the due date the owner is reminded (a DM naming the case and its clock's date).
    h.clock.set('2026-03-27T09:00:00Z');
    await sweepReminders(h.desk.deps, h.clock());
    await deliver(h);
    const dm = h.fake.of('chat.postMessage', (m) => m.params.channel === `D${USERS.agent.slice(1)}` && JSON.stringify(m.params).includes(c.number));
    expect(dm.length).toBeGreaterThan(0);

    // Completion: from the close form, with the evidence; the holder gets the confirmation, once.
    const close = await openedView(h, (await command(h, USERS.agent, `close ${c.number}`)).trigger);
    const options = close.blocks.find((b: any) => b.block_id === 'resolution').element.options.map((o: any) => o.value);
    expect(options).toEqual(['DeletionCompleted']);
    const missing = await submit(h, USERS.agent, close, { resolution: 'DeletionCompleted' });
    expect(missing.ack.response_action).toBe('errors');
    await submit(h, USERS.agent, close, { resolution: 'DeletionCompleted', evidence: 'CRM job 4411 and backup purge 2026-03-28, checked by IT' });
    await submit(h, USERS.agent, close, { resolution: 'DeletionCompleted', evidence: 'again' });
    await deliver(h);
    await sink.waitFor(2);
    const toHolder = sink.messages.filter((m) => m.envelope.to.includes(HOLDER.email));
    expect(toHolder).toHaveLength(2);
    expect(toHolder[1]!.parsed.text).toMatch(/gelöscht/);
    // Whatever else went by mail (the DPO's reminders) names the case, never the account holder.
    for (const m of sink.messages.filter((x) => !x.envelope.to.includes(HOLDER.email))) expect(m.parsed.text).not.toContain(HOLDER.name);
    const after = (await findCaseByNumber(h.desk.deps.database.db, c.number))!;
    expect(after.state).toBe('deleted');
    expect(JSON.stringify(after.facts)).toContain('CRM job 4411');
    // Nothing more is due: no reminder after closure.
    h.clock.set('2026-04-02T09:00:00Z');
    expect((await sweepReminders(h.desk.deps, h.clock())).messages.filter((m) => m.items.some((i) => i.caseNumber === c.number))).toEqual([]);
  });
});
