/**
 * The managers' daily digest end to end on SQLite and PostgreSQL: queued by the use case, posted by the real
 * Slack transport to SLACK_MANAGERS_CHANNEL (never the triage channel) as Block Kit with a text fallback, and
 * mailed over SMTP to MANAGERS_EMAIL — overdue, due this week, on-time rate, the cases by deadline — without
 * any personal data, once a day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { sendDigest } from '../../../src/app/digest.ts';
import { testDatabases } from '../../support/databases.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { deliver, expectNoPersonalData, MANAGERS, PII, seedRequest, startHarness, TRIAGE, type Harness } from './harness.ts';

describe.each(testDatabases())('the managers\' digest on $name', (tdb) => {
  let h: Harness;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startHarness(tdb, {
      MANAGERS_EMAIL: 'boss@example.com', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port),
      MAIL_SIGNING_SECRET: 'test-signing-secret-123', MAIL_FROM: 'privacy@example.com',
    });
  });
  afterAll(async () => { expectNoPersonalData(h.fake); await h?.close(); await sink?.close(); });

  it('posts the figures and the cases in the managers\' channel with blocks, and mails them to the managers', async () => {
    h.clock.set('2026-03-02T09:00:00Z');
    const late = await seedRequest(h, { receivedAt: '2026-02-02T09:00:00Z' }); // due 2 March: overdue on 10 March
    const soon = await seedRequest(h, { receivedAt: '2026-02-12T09:00:00Z' }); // due 12 March: this week
    const done = await seedRequest(h, { receivedAt: '2026-02-20T09:00:00Z' });
    await recordCaseEvent(h.desk.deps, { caseNumber: done.number, type: 'Withdrawn', actor: { id: 'U0AGENT', role: 'agent' }, fields: { outcome: 'withdrawn' } }, h.clock());
    await deliver(h);
    const mailsBefore = sink.messages.length;
    const postsBefore = h.fake.of('chat.postMessage').length;

    h.clock.set('2026-03-10T07:00:00Z');
    await sendDigest(h.desk.deps, h.clock());
    await sendDigest(h.desk.deps, new Date('2026-03-10T07:30:00Z')); // again the same day: nothing new
    await deliver(h);

    const posts = h.fake.of('chat.postMessage').slice(postsBefore);
    expect(posts.map((p) => p.params.channel)).toEqual([MANAGERS]);
    expect(posts.some((p) => p.params.channel === TRIAGE)).toBe(false);
    const post = posts[0]!.params;
    const raw = post.blocks;
    const blocks = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { type: string }[];
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'DPO desk digest — 2026-03-10' } });
    const json = JSON.stringify(blocks);
    expect(json).toContain('*Overdue*\\n1');
    expect(json).toContain('*Due this week*\\n1');
    expect(json).toContain('*Answered on time (90 days)*\\n100% (1 of 1)');
    expect(json).toContain(`*${late.number}* · request · received · due 2026-03-02 · OVERDUE`);
    expect(json).toContain(`*${soon.number}* · request · received · due 2026-03-12 · in`);
    expect(json.indexOf(late.number)).toBeLessThan(json.indexOf(soon.number));
    expect(String(post.text)).toBe('DPO desk digest 2026-03-10: 2 open · 1 overdue · 1 due this week · answered on time (90 days): 100% (1 of 1)');

    const mails = (await sink.waitFor(mailsBefore + 1)).slice(mailsBefore);
    expect(mails.map((m) => m.envelope.to)).toEqual([['boss@example.com']]);
    const text = mails[0]!.parsed.text ?? '';
    expect(mails[0]!.parsed.subject).toBe('dpo-desk digest 2026-03-10: 2 open, 1 overdue');
    expect(text).toContain(`${late.number} (request, received): due 2026-03-02`);
    expect(text).toContain('Open: 2 · overdue: 1 · due this week: 1');
    expect(text).toContain('Answered on time (last 90 days): 100% (1 of 1)');
    for (const value of Object.values(PII)) expect(text).not.toContain(value);
  });
});
