/**
 * Every subcommand of /dpo through the real Bolt app and the real use cases: its answer, its effect on the case
 * and audit trail, and what reaches Slack once the outbox is delivered. Also: a command typed in a case's thread.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAudit } from '../../../src/adapters/db/audit-log.ts';
import { findCaseByNumber, getPauses, getPrivate } from '../../../src/adapters/db/case-repository.ts';
import { listNotes } from '../../../src/adapters/db/note-repository.ts';
import { testDatabases } from '../../support/databases.ts';
import {
  answer, click, command, deliver, expectNoPersonalData, openedView, PII, seedBreach, seedRequest, sendEvent, startHarness,
  submit, threadTs, TRIAGE, USERS, type Harness,
} from './harness.ts';

describe('/dpo commands', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(testDatabases()[0]!); });
  afterAll(async () => { expectNoPersonalData(h.fake); await h?.close(); });

  const audit = async (caseId: string) => {
    const out = [];
    for await (const e of readAudit(h.desk.deps.database.db, 1000, caseId)) out.push(e);
    return out;
  };

  it('help lists every subcommand in the ack itself', async () => {
    const r = await command(h, USERS.nobody, 'help');
    for (const sub of ['new', 'breach', 'list', 'show', 'take', 'assign', 'note', 'reply', 'verify', 'pause', 'resume', 'extend', 'close', 'export']) {
      expect(r.ack.text).toContain(`/dpo ${sub}`);
    }
  });

  it('list [mine|open|overdue|due-this-week]: overdue first, by deadline, with countdowns, facts only', async () => {
    const overdue = await seedRequest(h, { receivedAt: '2026-01-12T09:00:00Z' });
    const soon = await seedRequest(h, { receivedAt: '2026-02-06T09:00:00Z', owner: USERS.agent2 });
    const later = await seedRequest(h, { owner: USERS.agent2 });
    const all = await answer(await command(h, USERS.agent2, 'list'));
    expect(all).toContain('*Open cases* — 3 cases, 1 overdue');
    const order = [overdue, soon, later].map((c) => all.indexOf(c.number));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(all).toMatch(/OVERDUE \d+d/);
    expect(all).toMatch(/in \d+d/);
    const mine = await answer(await command(h, USERS.agent2, 'list mine'));
    expect(mine).toContain(soon.number);
    expect(mine).toContain(later.number);
    expect(mine).not.toContain(overdue.number);
    const od = await answer(await command(h, USERS.agent2, 'list overdue'));
    expect(od).toContain(overdue.number);
    expect(od).not.toContain(soon.number);
    const week = await answer(await command(h, USERS.agent2, 'list due-this-week'));
    expect(week).toContain(soon.number);
    expect(week).not.toContain(overdue.number);
    expect(week).not.toContain(later.number);
    for (const text of [all, mine, od, week]) expect(text).not.toContain(PII.name);
  });

  it('show: facts and clocks for anyone; the details button only for users allowed to see them', async () => {
    const c = await seedRequest(h, { owner: USERS.agent });
    const asViewer = await answer(await command(h, USERS.nobody, `show ${c.number}`));
    expect(asViewer).toContain(c.number);
    expect(asViewer).toContain('GDPR Art. 12(3)');
    expect(asViewer).not.toContain('case_details');
    expect(asViewer).not.toContain(PII.name);
    const asOwner = await answer(await command(h, USERS.agent, `show ${c.number.toLowerCase()}`));
    expect(asOwner).toContain('case_details');
    const press = await click(h, USERS.agent, 'case_details', c.number);
    const modal = await openedView(h, press.trigger);
    expect(JSON.stringify(modal)).toContain(PII.name);
    expect(JSON.stringify(modal)).toContain(PII.content);
    const other = await click(h, USERS.agent2, 'case_details', c.number);
    expect(await answer(other)).toContain(`this case is <@${USERS.agent}>'s`);
    expect(h.fake.of('views.open', (v) => v.params.trigger_id === other.trigger)).toHaveLength(0);
  });

  it('take: owner set, work started, recorded with the Slack user; the triage thread follows', async () => {
    const c = await seedRequest(h);
    await deliver(h);
    const r = await command(h, USERS.agent, `take ${c.number}`);
    expect(r.ack).toBeNull();
    expect(await answer(r)).toContain(`${c.number} is yours (state in_progress)`);
    expect(await findCaseByNumber(h.desk.deps.database.db, c.number)).toMatchObject({ owner: USERS.agent, state: 'in_progress' });
    expect((await audit(c.id)).filter((e) => e.actor === USERS.agent).map((e) => e.type)).toEqual(['OwnerAssigned', 'WorkStarted']);
    const ts = await threadTs(h, c.id);
    await deliver(h);
    const thread = h.fake.of('chat.postMessage', (m) => m.params.thread_ts === ts);
    expect(JSON.stringify(thread)).toContain(`<@${USERS.agent}>`);
    const update = h.fake.of('chat.update', (m) => m.params.ts === ts).at(-1)!;
    expect(JSON.stringify(update.params.blocks)).toContain('in progress');
  });

  it('assign <case> @user', async () => {
    const c = await seedRequest(h);
    expect(await answer(await command(h, USERS.agent, `assign ${c.number} <@${USERS.agent2}|bob>`))).toContain(`assigned to <@${USERS.agent2}>`);
    expect((await findCaseByNumber(h.desk.deps.database.db, c.number))!.owner).toBe(USERS.agent2);
  });

  it('note: kept private; the thread only learns that a note was added', async () => {
    const c = await seedRequest(h);
    expect(await answer(await command(h, USERS.agent, `note ${c.number} ${PII.note}`))).toContain('Note added');
    expect(await listNotes(h.desk.deps.database.db, c.id)).toMatchObject([{ author: USERS.agent, text: PII.note }]);
    await deliver(h);
    const thread = h.fake.of('chat.postMessage', (m) => m.params.thread_ts === undefined ? false : JSON.stringify(m.params).includes(c.number));
    expect(JSON.stringify(thread)).toContain('A private note was added');
  });

  it('verify, pause (opens the pausing replies), resume', async () => {
    const c = await seedRequest(h, { owner: USERS.agent });
    expect(await answer(await command(h, USERS.agent, `verify ${c.number}`))).toContain('identity verified (state in_progress)');
    expect((await findCaseByNumber(h.desk.deps.database.db, c.number))!.identityVerifiedAt).not.toBeNull();
    const p = await command(h, USERS.agent, `pause ${c.number} clarification`);
    const modal = await openedView(h, p.trigger);
    const options = modal.blocks.find((b: any) => b.block_id === 'template').element.options.map((o: any) => o.value);
    expect(options).toEqual(['ClarificationRequested']);
    const preview = await submit(h, USERS.agent, modal, { details: 'clarification:\n  questions:\n    - Which of your two accounts?\n' });
    expect(preview.ack.response_action).toBe('push');
    expect((await submit(h, USERS.agent, { ...preview.ack.view, id: 'V-pause-preview', root_view_id: modal.id }, {})).ack).toEqual({ response_action: 'clear' });
    const paused = (await findCaseByNumber(h.desk.deps.database.db, c.number))!;
    expect(paused.state).toBe('clarification_pending');
    expect(await getPauses(h.desk.deps.database.db, c.id)).toMatchObject([{ reason: 'clarification', answeredOn: null }]);
    expect(await answer(await command(h, USERS.agent, `resume ${c.number}`))).toContain('clock resumed (state in_progress)');
    expect(await getPauses(h.desk.deps.database.db, c.id)).toMatchObject([{ reason: 'clarification', answeredOn: '2026-03-05' }]);
  });

  it('export: the register as CSV for the DPO and managers, without personal data', async () => {
    const c = await seedRequest(h);
    const csv = await answer(await command(h, USERS.manager, 'export'));
    expect(csv).toContain('number,kind,request_types,regimes,state,received');
    expect(csv).toContain(c.number);
    expect(csv).not.toContain(PII.email);
    expect(await answer(await command(h, USERS.agent, 'export'))).toContain('Not allowed: export needs the role dpo or manager');
  });

  it('DPO commands: assess, notify the authority, override a deadline', async () => {
    const b = await seedBreach(h);
    expect(await answer(await command(h, USERS.dpo, `assess ${b.number} high many payslips`))).toContain('risk assessed as high (state assessed)');
    expect(await answer(await command(h, USERS.dpo, `notify ${b.number} initial`))).toContain('(state notified)');
    const d = await seedBreach(h, '2026-03-05T09:00:00Z');
    expect(await answer(await command(h, USERS.dpo, `deadline ${d.number} 2026-03-04T10:00 the alert mail was read the day before`))).toContain('clock recomputed');
    expect((await findCaseByNumber(h.desk.deps.database.db, d.number))!.governingDueAt!.toISOString()).toBe('2026-03-07T09:00:00.000Z');
    expect((await audit(d.id)).find((e) => e.type === 'DeadlineOverridden')).toMatchObject({ actor: USERS.dpo });
  });

  it('a command typed in a case\'s thread (a mention, or !dpo) works on that case without naming it', async () => {
    const c = await seedRequest(h);
    await deliver(h);
    const ts = await threadTs(h, c.id);
    expect((await sendEvent(h, { type: 'app_mention', user: USERS.agent2, text: '<@UBOT> take', channel: TRIAGE, ts: '1700000999.000001', thread_ts: ts, event_ts: '1700000999.000001' })).status).toBe(200);
    await vi.waitFor(async () => expect((await findCaseByNumber(h.desk.deps.database.db, c.number))!.owner).toBe(USERS.agent2));
    await vi.waitFor(() => expect(h.fake.of('chat.postEphemeral', (m) => m.params.thread_ts === ts && m.params.user === USERS.agent2)).toHaveLength(1));
    await sendEvent(h, { type: 'message', user: USERS.agent2, text: '!dpo note rang the customer', channel: TRIAGE, ts: '1700000999.000002', thread_ts: ts }, { eventId: 'EvNOTE1' });
    // Slack retries the same event: it is stored once.
    await sendEvent(h, { type: 'message', user: USERS.agent2, text: '!dpo note rang the customer', channel: TRIAGE, ts: '1700000999.000002', thread_ts: ts }, { eventId: 'EvNOTE1', retryNum: 1 });
    await vi.waitFor(() => expect(h.fake.of('chat.postEphemeral', (m) => m.params.thread_ts === ts && m.params.user === USERS.agent2)).toHaveLength(3));
    expect(await listNotes(h.desk.deps.database.db, c.id)).toHaveLength(1);
    expect(JSON.stringify(h.fake.of('chat.postEphemeral').at(-1))).toContain('already done');
    expect(await getPrivate(h.desk.deps.database.db, c.id)).toMatchObject({ requesterName: PII.name });
  });
});
