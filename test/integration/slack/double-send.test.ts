/**
 * The double-send window after a crash or a lost response: every post carries its key in message metadata, and a
 * row that may have gone out is looked up in the channel (or thread) before it is posted again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueue, listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { caseNotice } from '../../../src/app/compose-mail.ts';
import { POST_METADATA_TYPE } from '../../../src/adapters/slack/slack-transport.ts';
import { testDatabases } from '../../support/databases.ts';
import { deliver, expectNoPersonalData, seedRequest, startHarness, threadTs, TRIAGE, type Harness } from './harness.ts';

describe.each(testDatabases())('Slack posts are not repeated after a lost response, on $name', (tdb) => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(tdb); });
  afterEach(async () => { expectNoPersonalData(h.fake); await h?.close(); });
  const parents = (number: string) => h.fake.of('chat.postMessage', (m) => m.params.channel === TRIAGE && !m.params.thread_ts && JSON.stringify(m.params).includes(number));

  it('a parent message posted before the response was lost is found by its metadata, not posted again', async () => {
    const c = await seedRequest(h);
    h.fake.fail('chat.postMessage', { dropResponse: true });
    expect((await deliver(h)).retried).toBeGreaterThan(0); // Slack has the message; the desk could not know
    expect(parents(c.number)).toHaveLength(1);
    h.clock.advance(10 * 60_000);
    await deliver(h);
    expect(parents(c.number)).toHaveLength(1);
    expect(h.fake.of('conversations.history', (m) => m.params.channel === TRIAGE)).not.toHaveLength(0);
    expect(await threadTs(h, c.id)).toBe(h.fake.messages.find((m) => m.metadata?.event_payload.key === `parent:${c.id}`)!.ts);
    const row = (await listOutbox(h.desk.deps.database.db, { caseId: c.id })).find((r) => r.kind === 'case-opened')!;
    expect(row).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('a thread line is looked up in its thread (conversations.replies); every post carries its key', async () => {
    const c = await seedRequest(h);
    await deliver(h);
    const ts = await threadTs(h, c.id);
    await h.desk.deps.database.db.transaction().execute((trx) => enqueue(trx, [caseNotice(h.desk.deps, c, 'reply-received', `${c.id}:r1`, h.clock())], h.clock()));
    h.fake.fail('chat.postMessage', { dropResponse: true });
    await deliver(h);
    h.clock.advance(10 * 60_000);
    await deliver(h);
    const lines = h.fake.of('chat.postMessage', (m) => m.params.thread_ts === ts);
    expect(lines).toHaveLength(1);
    expect(h.fake.of('conversations.replies', (m) => m.params.ts === ts)).toHaveLength(1);
    expect(h.fake.of('chat.postMessage').every((m) => m.params.metadata?.event_type === POST_METADATA_TYPE)).toBe(true);
    expect((await listOutbox(h.desk.deps.database.db, { caseId: c.id })).every((r) => r.state === 'sent')).toBe(true);
  });

  it('a first attempt does not look anything up (no cost on the normal path)', async () => {
    await seedRequest(h);
    await deliver(h);
    expect(h.fake.of('conversations.history')).toHaveLength(0);
    expect(h.fake.of('conversations.replies')).toHaveLength(0);
  });
});
