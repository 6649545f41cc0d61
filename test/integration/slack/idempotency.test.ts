/**
 * Nothing twice: a double click, a resubmitted modal or a Slack retry never opens a second case, sends a second
 * reply or a second alert — with the duplicates arriving at the same moment, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findCaseByNumber, listCases } from '../../../src/adapters/db/case-repository.ts';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { listNotes } from '../../../src/adapters/db/note-repository.ts';
import { testDatabases } from '../../support/databases.ts';
import {
  answer, click, command, deliver, expectNoPersonalData, mailsTo, openedView, PII, seedRequest, sendEvent, startHarness, submit,
  threadTs, TRIAGE, USERS, type Harness,
} from './harness.ts';

describe.each(testDatabases())('idempotency on $name', (tdb) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(tdb); });
  afterAll(async () => { expectNoPersonalData(h.fake); await h?.close(); });
  const db = () => h.desk.deps.database.db;

  it('a new-request modal submitted three times at once opens one case', async () => {
    const view = await openedView(h, (await command(h, USERS.agent, 'new')).trigger);
    const values = { types: ['portability'], received_at: '2026-03-05T08:00:00Z', requester_name: PII.name, requester_email: PII.email };
    const acks = await Promise.all([1, 2, 3].map(() => submit(h, USERS.agent, view, values)));
    expect(acks.map((a) => a.status)).toEqual([200, 200, 200]);
    await vi.waitFor(() => expect(h.fake.of('chat.postEphemeral', (m) => /Opened|Already opened/.test(String(m.params.text)))).toHaveLength(3));
    expect((await listCases(db())).filter((c) => c.sourceKey === `slack:view:${view.id}`)).toHaveLength(1);
  });

  it('a reply sent twice at once (double click on Send) queues one mail', async () => {
    const c = await seedRequest(h, { owner: USERS.agent });
    const compose = await openedView(h, (await command(h, USERS.agent, `reply ${c.number}`)).trigger);
    const details = 'clarification:\n  questions:\n    - Which account?\n';
    const preview = await submit(h, USERS.agent, compose, { reply_template: 'ClarificationRequested', language: 'en', details });
    expect(preview.ack.response_action).toBe('push');
    const previewView = { ...preview.ack.view, id: 'V-preview', root_view_id: compose.id };
    const sends = await Promise.all([submit(h, USERS.agent, previewView, {}), submit(h, USERS.agent, previewView, {})]);
    expect(sends.map((s) => s.ack.response_action)).toEqual(['clear', 'clear']);
    expect((await mailsTo(h, c.id)).filter((m) => m.kind === 'clarification-request')).toHaveLength(1);
    expect((await findCaseByNumber(db(), c.number))!.state).toBe('clarification_pending');
  });

  it('an extension submitted twice is requested once, with one notice', async () => {
    const c = await seedRequest(h);
    const view = await openedView(h, (await command(h, USERS.dpo, `extend ${c.number}`)).trigger);
    const acks = await Promise.all([1, 2].map(() => submit(h, USERS.dpo, view, { reasons: 'Archived records.' })));
    expect(acks.every((a) => a.ack.response_action === 'update')).toBe(true);
    expect((await mailsTo(h, c.id)).filter((m) => m.kind === 'extension-notice')).toHaveLength(1);
  });

  it('double clicks on Take and on Escalate to DPO have one effect each', async () => {
    const c = await seedRequest(h);
    const takes = await Promise.all([click(h, USERS.agent, 'case_take', c.number), click(h, USERS.agent, 'case_take', c.number)]);
    for (const t of takes) await answer(t);
    const esc = await Promise.all([click(h, USERS.agent, 'case_escalate', c.number), click(h, USERS.agent, 'case_escalate', c.number)]);
    for (const e of esc) await answer(e);
    const audit = await db().selectFrom('audit_events').select('type').where('case_id', '=', c.id).execute();
    expect(audit.filter((e) => e.type === 'OwnerAssigned')).toHaveLength(1);
    expect(audit.filter((e) => e.type === 'Escalated')).toHaveLength(1);
    expect((await listOutbox(db(), { caseId: c.id })).filter((r) => r.kind === 'dpo-alert')).toHaveLength(2); // one Slack, one mail
  });

  it('a Slack retry of an event (X-Slack-Retry-Num) is handled once', async () => {
    const c = await seedRequest(h);
    await deliver(h);
    const ts = await threadTs(h, c.id);
    const event = { type: 'app_mention', user: USERS.agent, text: '<@UBOT> note spoke to legal', channel: TRIAGE, ts: '1700001000.000001', thread_ts: ts };
    const [first, retry] = await Promise.all([sendEvent(h, event, { eventId: `EvRetry-${tdb.name}` }), sendEvent(h, event, { eventId: `EvRetry-${tdb.name}`, retryNum: 1 })]);
    expect([first.status, retry.status]).toEqual([200, 200]);
    await vi.waitFor(() => expect(h.fake.of('chat.postEphemeral', (m) => m.params.thread_ts === ts)).toHaveLength(2));
    expect(await listNotes(db(), c.id)).toHaveLength(1);
  });
});
