/**
 * The reply modal's file input, end to end: signed requests to the real Bolt app, the file fetched from the fake
 * Slack (files.info, then its private URL with the bot token), the mail with the file as a MIME part received by
 * the SMTP sink. A portability answer without a file is refused next to the file field. SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { findCaseByNumber } from '../../../src/adapters/db/case-repository.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { testDatabases } from '../../support/databases.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import {
  click, deliver, expectNoPersonalData, mailsTo, openedView, PII, seedRequest, startHarness, submit, USERS,
  type Harness,
} from './harness.ts';

const DATA = Buffer.from('{"loyaltyCard":{"points":120}}');
const DETAILS = 'portability:\n  scope: The loyalty card data you gave us.\n';

describe.each(testDatabases())('reply modal with files on $name', (tdb) => {
  let h: Harness;
  let sink: SmtpSink;
  beforeAll(async () => { sink = await startSmtpSink(); });
  afterAll(async () => { await sink.close(); });
  beforeEach(async () => {
    sink.messages.length = 0;
    h = await startHarness(tdb, {
      SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), MAIL_SIGNING_SECRET: 'test-signing-secret-0123456789',
    });
  });
  afterEach(async () => { await h.close(); });

  const composeFor = async () => {
    const c = await seedRequest(h, { owner: USERS.agent, types: ['portability'] });
    const started = { caseNumber: c.number, type: 'WorkStarted', actor: { id: USERS.agent, role: 'agent' as const } };
    await recordCaseEvent(h.desk.deps, started, h.clock());
    const view = await openedView(h, (await click(h, USERS.agent, 'case_reply', c.number)).trigger);
    return { c, view };
  };

  it('a file chosen in the modal is listed in the preview and reaches the data subject as an attachment', async () => {
    const { c, view } = await composeFor();
    expect(view.blocks.find((b: any) => b.block_id === 'files').element)
      .toMatchObject({ type: 'file_input', action_id: 'files' });
    const file = h.fake.addFile('loyalty-card.json', 'application/json', DATA);
    const answer = { reply_template: 'Answered', language: 'en', details: DETAILS };
    const preview = await submit(h, USERS.agent, view, { ...answer, files: [file] });
    expect(preview.ack.response_action).toBe('push');
    const shown = JSON.stringify(preview.ack.view);
    expect(shown).toContain('*Attached:* loyalty-card.json (30 bytes)');
    expect(shown).toContain('loyalty-card.json (JSON)'); // the mail's own list, from the file attached
    expect(h.fake.of('file_download')).toHaveLength(0); // the preview needs names and sizes only

    const sent = await submit(h, USERS.agent, { ...preview.ack.view, id: 'V-preview', root_view_id: view.id }, {});
    expect(sent.ack).toEqual({ response_action: 'clear' });
    expect(h.fake.of('files.info', (x) => x.params.file === file.id)).toHaveLength(1);
    expect(h.fake.of('file_download').map((x) => x.token)).toEqual(['bearer']);
    expect((await findCaseByNumber(h.desk.deps.database.db, c.number))!.state).toBe('answered');
    const confirmed = `${c.number}: 1 mail(s) queued to the data subject with 1 file(s) attached; state answered.`;
    await vi.waitFor(() => expect(h.fake.of('chat.postEphemeral', (x) => x.params.user === USERS.agent)
      .map((x) => x.params.text)).toContain(confirmed));
    await deliver(h);
    const rows = (await mailsTo(h, c.id)).filter((m) => m.kind === 'answer-portability');
    expect(rows.map((m) => m.state)).toEqual(['sent']);
    const mail = sink.messages.find((m) => m.parsed.attachments.length)!;
    expect(mail.envelope.to).toEqual([PII.email]);
    expect(mail.parsed.attachments.map((a) => [a.filename, a.mimeType, Buffer.from(a.content as ArrayBuffer)]))
      .toEqual([['loyalty-card.json', 'application/json', DATA]]);
    expect(mail.parsed.text).toContain('loyalty-card.json (JSON)');
    expectNoPersonalData(h.fake);
  });

  it('a portability answer without a file, or with a PDF, is refused by the file field; nothing queued', async () => {
    const { c, view } = await composeFor();
    const answer = { reply_template: 'Answered', language: 'en', details: DETAILS };
    const none = await submit(h, USERS.agent, view, answer);
    expect(none.ack).toMatchObject({ response_action: 'errors' });
    expect(none.ack.errors.files).toContain('this answer speaks of files sent with it; attach them');
    const pdf = h.fake.addFile('card.pdf', 'application/pdf', Buffer.from('%PDF-1.4'));
    const wrong = await submit(h, USERS.agent, view, { ...answer, files: [pdf] });
    expect(wrong.ack.errors.files).toContain('card.pdf — a portability answer carries the data machine-readable');
    expect((await mailsTo(h, c.id)).filter((m) => m.kind === 'answer-portability')).toHaveLength(0);
    expect((await findCaseByNumber(h.desk.deps.database.db, c.number))!.state).toBe('in_progress');
  });
});
