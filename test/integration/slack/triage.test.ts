/**
 * The Slack outbox transport: one parent per case in the triage channel, updates in its thread, the parent
 * updated from the latest state (coalesced) and reduced to a stub on closure; DPO alerts and reminders as DMs;
 * 429 Retry-After honoured by the outbox, permanent errors surfaced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { applyCaseEvent, addCaseNote, takeCase } from '../../../src/app/case-actions.ts';
import { caseNotice } from '../../../src/app/compose-mail.ts';
import { testDatabases } from '../../support/databases.ts';
import { deliver, expectNoPersonalData, MANAGERS, seedRequest, startHarness, threadTs, TRIAGE, USERS, type Harness } from './harness.ts';

describe('Slack transport (triage channel, DMs, retries)', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(testDatabases()[0]!); });
  afterAll(async () => { expectNoPersonalData(h.fake); await h?.close(); });
  const db = () => h.desk.deps.database.db;
  const agent = { id: USERS.agent, role: 'agent' as const };
  const parents = (number: string) => h.fake.of('chat.postMessage', (m) => m.params.channel === TRIAGE && !m.params.thread_ts && JSON.stringify(m.params).includes(number));

  it('posts one parent per case, even when a delivery is retried after the post', async () => {
    const c = await seedRequest(h);
    expect((await deliver(h)).sent).toBeGreaterThan(0);
    expect(parents(c.number)).toHaveLength(1);
    const ts = await threadTs(h, c.id);
    // The deliverer crashed after posting but before recording "sent": the row is delivered again.
    await db().updateTable('outbox').set({ state: 'pending', sent_at: null }).where('case_id', '=', c.id).where('kind', '=', 'case-opened').execute();
    await deliver(h);
    expect(parents(c.number)).toHaveLength(1);
    expect(await threadTs(h, c.id)).toBe(ts);
  });

  it('posts each update in the thread and updates the parent once from the latest state (coalesced)', async () => {
    const c = await seedRequest(h);
    await deliver(h);
    const ts = await threadTs(h, c.id);
    const updatesBefore = h.fake.of('chat.update', (m) => m.params.ts === ts).length;
    const now = h.clock();
    await takeCase(h.desk.deps, { caseNumber: c.number, actor: agent, key: 'k-take' }, now);
    await addCaseNote(h.desk.deps, { caseNumber: c.number, actor: agent, key: 'k-note', text: 'private' }, now);
    await applyCaseEvent(h.desk.deps, { caseNumber: c.number, actor: agent, key: 'k-verify', type: 'IdentityVerified' }, now);
    await deliver(h);
    const thread = h.fake.of('chat.postMessage', (m) => m.params.thread_ts === ts);
    expect(thread.length).toBeGreaterThanOrEqual(3);
    expect(thread.map((m) => String(m.params.text).split('\n')[0])).toEqual(expect.arrayContaining([
      'A private note was added by <@U0AGENT>.', 'Identity verified by <@U0AGENT>.',
    ]));
    const updates = h.fake.of('chat.update', (m) => m.params.ts === ts).slice(updatesBefore);
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0]!.params.blocks)).toContain(`in progress · <@${USERS.agent}>`);
  });

  it('a reply from the data subject is a thread line without its content', async () => {
    const c = await seedRequest(h);
    await deliver(h);
    await db().transaction().execute((trx) => enqueue(trx, [caseNotice(h.desk.deps, c, 'reply-received', `${c.id}:reply-1`, h.clock())], h.clock()));
    await deliver(h);
    const line = h.fake.of('chat.postMessage', (m) => m.params.thread_ts === undefined ? false : JSON.stringify(m.params).includes(c.number)).at(-1)!;
    expect(line.params.text).toContain('The data subject replied (details on demand in the app).');
  });

  it('a 429 with Retry-After is retried by the outbox after that time, and delivered once', async () => {
    const c = await seedRequest(h);
    h.fake.fail('chat.postMessage', { status: 429, retryAfter: 120, times: 1 });
    const first = await deliver(h);
    expect(first.retried).toBeGreaterThanOrEqual(1);
    const row = (await listOutbox(db(), { caseId: c.id })).find((r) => r.kind === 'case-opened')!;
    expect(row).toMatchObject({ state: 'pending', lastError: 'rate limited (Retry-After 120 s)' });
    const next = await db().selectFrom('outbox').select('next_attempt_at').where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(Number(next.next_attempt_at)).toBeGreaterThanOrEqual(h.clock().getTime() + 120_000);
    h.clock.advance(119_000);
    expect((await deliver(h)).sent).toBe(0);
    h.clock.advance(1_000);
    await deliver(h);
    expect((await listOutbox(db(), { caseId: c.id })).find((r) => r.id === row.id)!.state).toBe('sent');
    expect(parents(c.number)).toHaveLength(1);
    expect(h.fake.attempts('chat.postMessage', (m) => !m.params.thread_ts && JSON.stringify(m.params).includes(c.number))).toHaveLength(2);
  });

  it('a permanent error (channel_not_found) fails the row and alerts the DPO; a 5xx is retried', async () => {
    const c = await seedRequest(h);
    h.fake.fail('chat.postMessage', { error: 'channel_not_found', times: 1 });
    await deliver(h);
    const rows = await listOutbox(db(), { caseId: c.id });
    expect(rows.find((r) => r.kind === 'case-opened')).toMatchObject({ state: 'failed', lastError: 'permanent: Slack refused: channel_not_found' });
    expect(rows.filter((r) => r.kind === 'dpo-alert').map((r) => r.state)).toEqual(['sent', 'sent']);
    const c2 = await seedRequest(h);
    h.fake.fail('chat.postMessage', { status: 503, times: 1 });
    await deliver(h);
    expect((await listOutbox(db(), { caseId: c2.id })).find((r) => r.kind === 'case-opened')).toMatchObject({ state: 'pending', lastError: 'HTTP 503' });
  });

  it('reminders: a DM to a user, a message to the managers channel, with one action per item, Acknowledge and Snooze', async () => {
    const items = [{
      caseNumber: 'DSR-2026-0001', kind: 'request', state: 'in_progress', regime: 'gdpr', clock: 'GDPR one month', due: 'Tue 7 Apr 2026',
      what: 'The answer to the data subject is due in 5 working days.', action: 'reply', overdue: false, rules: ['owner-5wd'],
    }];
    await db().transaction().execute((trx) => enqueue(trx, [
      { id: 'rem-1', caseId: null, channel: 'slack', kind: 'reminder', idempotencyKey: 'rem-1', notBefore: h.clock(), payload: { to: { user: USERS.agent2 }, items, reminderIds: ['r-1', 'r-2'] } },
      { id: 'rem-2', caseId: null, channel: 'slack', kind: 'reminder', idempotencyKey: 'rem-2', notBefore: h.clock(), payload: { to: { channel: 'managers' }, items: [{ ...items[0], overdue: true }], reminderIds: ['r-3'] } },
    ], h.clock()));
    await deliver(h);
    const dm = h.fake.of('chat.postMessage', (m) => m.params.channel === `D${USERS.agent2.slice(1)}`).at(-1)!;
    const dmText = JSON.stringify(dm.params.blocks);
    expect(dmText).toContain('DSR-2026-0001');
    expect(dmText).toContain('"action_id":"reminder_ack"');
    expect(dmText).toContain('"action_id":"reminder_snooze"');
    expect(dmText).toContain(JSON.stringify(JSON.stringify(['r-1', 'r-2'])).slice(1, -1));
    const managers = h.fake.of('chat.postMessage', (m) => m.params.channel === MANAGERS).at(-1)!;
    const managersText = JSON.stringify(managers.params.blocks);
    expect(managersText).toContain('*DSR-2026-0001* · GDPR one month: *overdue* — was due Tue 7 Apr 2026');
    expect(managersText).toContain('"action_id":"case_reply"');
    expect(managersText).not.toContain('owner-5wd');
  });
});
