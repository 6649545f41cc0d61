/**
 * The request log and the managers' monthly report over a hand-built fixture month (April 2026, gdpr + a 15-day
 * contractual promise, Berlin, German holidays), on SQLite and PostgreSQL in virtual time: the figures equal the
 * ones computed by hand below; the report reaches Slack (a PNG chart uploaded to the managers channel) and the
 * managers' mail; `/dpo export requests` uploads the CSV to the DPO; and no export or report carries personal data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { sendMonthlyReport } from '../../../src/app/monthly-report.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { run } from '../../../src/cli/program.ts';
import type { RequestType } from '../../../src/domain/vocabulary.ts';
import { testDatabases } from '../../support/databases.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { answer, command, deliver, MANAGERS, PII, startHarness, USERS, type Harness } from '../slack/harness.ts';

const ENV: Record<string, string> = {
  ORG_REGIMES: 'gdpr,contract', MANAGERS_EMAIL: 'boss@example.com', SMTP_HOST: '127.0.0.1',
  MAIL_SIGNING_SECRET: 'test-signing-secret-0123456789',
};
const agent = { id: USERS.agent, role: 'agent' as const };
const dpo = { id: USERS.dpo, role: 'dpo' as const };
const ANSWER = {
  access: {
    attachments: [{ filename: 'data.json' }], purposes: ['billing'], categories: ['contact details'], recipients: [],
    storagePeriod: '2 years',
  },
  erasure: { completedDate: '2026-04-15', scope: 'all account data', retained: [] },
  recipientNotice: { informed: [], notInformedReason: 'no recipients' },
  authority: { name: 'Example DPA', url: 'https://dpa.example.test' },
};
const NOW = '2026-05-01T08:00:00Z';
const HEADER = 'number,workflow,types,regimes,received,due,extended,paused_days,answered,outcome,on_time';

/**
 * By hand (due dates: gdpr = receipt + 1 month rolled over weekends and DE holidays; contract = receipt + 15 calendar
 * days, not rolled; closing at 10:00Z, 12:00 in Berlin):
 *   R0 access      recv 01-05 closed 01-10  (January: 1 of 1 on time)
 *   R1 access      recv 03-20 closed 04-02  gdpr 04-20 ✓ contract 04-04 ✓  13 days
 *   R2 erasure     recv 03-25 closed 04-15  gdpr 04-27 ✓ contract 04-09 ✗  21 days
 *   R3 access      recv 04-01 closed 04-10  gdpr 05-04 ✓ contract 04-16 ✓   9 days   (05-01 holiday, weekend)
 *   R4 objection   recv 04-07 open          contract 04-22 → overdue at 05-01
 *   R5 rectific.   recv 02-10 closed 04-08  gdpr 03-10 ✗ contract 02-25 ✗  57 days  (withdrawn)
 *   R6 access      recv 03-02 gdpr only, extended (notice 03-05) closed 04-20  gdpr 06-02 ✓  49 days
 *   R7 access      recv 03-16 paused 03-17..03-24 (7 days) closed 04-21  gdpr 04-23 ✓ contract 04-07 ✗  36 days
 *   R8 restriction recv 04-13 closed 04-14  gdpr 05-13 ✓ contract 04-28 ✓   1 day    (withdrawn)
 * Closed in April: 7. Legal 6 of 7 = 85.7 %. Contract 3 of 6 = 50 % (R6 has none). Median of 1 9 13 21 36 49 57 = 21.
 * Governing (earliest) on time in April: R1 R3 R6 R8 = 4 of 7 = 57.1 %.
 * Breaches aware in April: B1 (notified after 47 h), B2 (after 73 h), B3 (not notifiable); B4 aware in March.
 */
const EXPECTED = {
  month: '2026-04',
  received: { total: 3, byType: { access: 1, objection: 1, restriction: 1 }, byRegime: { gdpr: 3, contract: 3 } },
  closed: 7,
  withinLegal: { n: 6, of: 7, percent: 85.7 },
  withinContract: { n: 3, of: 6, percent: 50 },
  medianDays: 21,
  extended: 1,
  paused: { requests: 1, days: 7 },
  overdueNow: 1,
  breaches: { aware: 3, notified: 2, within72h: { n: 1, of: 2, percent: 50 } },
  onTimeByMonth: [
    '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12',
  ].map((month) => ({ month, closed: 0, onTime: 0, percent: null })).concat([
    { month: '2026-01', closed: 1, onTime: 1, percent: 100 } as never,
    { month: '2026-02', closed: 0, onTime: 0, percent: null },
    { month: '2026-03', closed: 0, onTime: 0, percent: null },
    { month: '2026-04', closed: 7, onTime: 4, percent: 57.1 } as never,
  ]),
};

describe.each(testDatabases())('request log and monthly report on $name', (tdb) => {
  let h: Harness;
  let sink: SmtpSink;
  const numbers: Record<string, string> = {};
  const at = (iso: string) => { h.clock.set(iso); return h.clock(); };
  const request = async (id: string, received: string, types: RequestType[], regimes?: ['gdpr']) => {
    const r = await openCase(h.desk.deps, {
      kind: 'request', requestTypes: types, regimes, channel: 'mail', receivedAt: new Date(`${received}T09:00:00Z`),
      requester: { email: PII.email, name: PII.name, verified: true, address: PII.address }, subject: PII.subject,
      content: PII.content, owner: USERS.agent, actor: { id: 'system', role: 'system' },
    }, at(`${received}T09:00:00Z`));
    numbers[id] = r.case.number;
  };
  type Fields = Record<string, unknown>;
  type Who = typeof agent | typeof dpo;
  const event = async (id: string, type: string, when: string, fields: Fields = {}, actor: Who = agent) => {
    const attachments = type === 'Answered' ? [{ filename: 'data.json', bytes: new TextEncoder().encode('{}') }] : []; // the copy of the data
    const input = { caseNumber: numbers[id]!, type, actor, fields, attachments };
    const r = await recordCaseEvent(h.desk.deps, input, at(`${when}T10:00:00Z`));
    expect(r, `${id} ${type}: ${JSON.stringify(r)}`).toMatchObject({ ok: true });
  };
  const answered = async (id: string, when: string, started = false) => {
    if (!started) await event(id, 'WorkStarted', when);
    await event(id, 'Answered', when, { outcome: `answered, sent to ${PII.name}`, ...ANSWER });
  };
  const breach = async (id: string, aware: string) => {
    const r = await openCase(h.desk.deps, {
      kind: 'breach', channel: 'mail', receivedAt: new Date(aware), awareAt: new Date(aware), content: PII.breach,
      actor: { id: 'system', role: 'system' },
    }, at(aware));
    numbers[id] = r.case.number;
  };
  const notify = async (id: string, when: string) => {
    const r = await recordCaseEvent(h.desk.deps, {
      caseNumber: numbers[id]!, type: 'AuthorityNotified', actor: dpo,
      fields: { phase: 'initial', late_reasons: 'the processor told us late' },
    }, at(when));
    expect(r).toMatchObject({ ok: true });
  };
  const cli = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const env = {
      LOG_LEVEL: 'silent', DATABASE_URL: h.desk.deps.config.databaseUrl, ORG_NAME: 'Example Org',
      DPO_EMAIL: 'dpo@example.com', ...ENV,
    };
    const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    ENV.SMTP_PORT = String(sink.port);
    h = await startHarness(tdb, ENV);
    await request('R0', '2026-01-05', ['access']);
    await answered('R0', '2026-01-10');
    await request('R5', '2026-02-10', ['rectification']);
    await request('R6', '2026-03-02', ['access'], ['gdpr']); // the extension notice names the extended gdpr date
    await event('R6', 'ExtensionRequested', '2026-03-05', { reasons: 'Twelve years of archived records.' }, dpo);
    await deliver(h); // the notice went out within the first month: the extension takes effect
    await request('R7', '2026-03-16', ['access']);
    const identity = { reason: 'The address is not linked to an account.', proofNeeded: ['your customer number'] };
    await event('R7', 'IdentityRequested', '2026-03-17', { identity });
    await event('R7', 'SubjectReplied', '2026-03-24');
    await request('R1', '2026-03-20', ['access']);
    await request('R2', '2026-03-25', ['erasure']);
    await breach('B4', '2026-03-30T08:00:00Z');
    await notify('B4', '2026-03-31T08:00:00Z');
    await request('R3', '2026-04-01', ['access']);
    await answered('R1', '2026-04-02');
    await breach('B1', '2026-04-03T10:00:00Z');
    await notify('B1', '2026-04-05T09:00:00Z');
    await request('R4', '2026-04-07', ['objection']);
    await event('R5', 'Withdrawn', '2026-04-08', { outcome: 'withdrawn by phone' });
    await answered('R3', '2026-04-10');
    await request('R8', '2026-04-13', ['restriction']);
    await event('R8', 'Withdrawn', '2026-04-14', { outcome: 'withdrawn by mail' });
    await answered('R2', '2026-04-15');
    await answered('R6', '2026-04-20');
    await breach('B2', '2026-04-20T12:00:00Z');
    await answered('R7', '2026-04-21', true); // in progress since the reply
    await notify('B2', '2026-04-23T13:00:00Z');
    await breach('B3', '2026-04-25T12:00:00Z');
    await event('B3', 'NotNotifiable', '2026-04-26', { reasons: 'encrypted disk' }, dpo);
    await deliver(h);
    at(NOW);
  }, 120_000);
  afterAll(async () => { await h?.close(); await sink?.close(); });

  it('the fixture month\'s report equals the hand-computed figures (use case and CLI)', async () => {
    const r = await cli(['report', '--month', '2026-04', '--json', '--now', NOW]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(EXPECTED);
    const text = await cli(['report', '--month', '2026-04', '--now', NOW]);
    expect(text.out).toContain('Answered within the legal deadline: 85.7% (6 of 7)');
    expect(text.out).toContain('Breaches (aware this month): 3; notified: 2; within 72 hours: 50% (1 of 2)');
  });

  it('goes to the managers: a PNG chart uploaded to their Slack channel and a mail with the chart, once', async () => {
    expect(await sendMonthlyReport(h.desk.deps, '2026-04', h.clock())).toEqual(EXPECTED);
    await sendMonthlyReport(h.desk.deps, '2026-04', h.clock()); // the job ran twice: nothing twice
    await deliver(h);
    const uploads = h.fake.of('files.completeUploadExternal');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.params)
      .toMatchObject({ channel_id: MANAGERS, initial_comment: expect.stringContaining('monthly report 2026-04') });
    const fileId = uploads[0]!.params.files[0].id as string;
    const png = h.fake.uploads.get(fileId)!;
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(h.fake.of('files.getUploadURLExternal')[0]!.params)
      .toMatchObject({ filename: 'dpo-desk-on-time-2026-04.png', length: String(png.length) });
    const rows = await listOutbox(h.desk.deps.database.db);
    expect(rows.filter((o) => o.kind === 'monthly-report').map((o) => [o.channel, o.state]).sort())
      .toEqual([['mail', 'sent'], ['slack', 'sent']]);
    const mails = sink.messages.filter((m) => m.envelope.to.includes('boss@example.com'));
    expect(mails.map((m) => m.parsed.subject)).toEqual(['dpo-desk monthly report 2026-04']);
    expect(mails[0]!.parsed.text).toContain('Answered within the contractual promise: 50% (3 of 6)');
    expect(mails[0]!.parsed.attachments.map((a) => [a.filename, a.mimeType]))
      .toEqual([['dpo-desk-on-time-2026-04.png', 'image/png']]);
    expect(Buffer.from(mails[0]!.parsed.attachments[0]!.content as ArrayBuffer).equals(png)).toBe(true);
    scan(`${uploads[0]!.params.initial_comment}\n${mails[0]!.raw.toString('utf8')}`);
  });

  it('exports the request log as CSV and JSON with the documented columns, filtered by receipt date', async () => {
    const csv = await cli(['export', 'requests', '--format', 'csv', '--now', NOW]);
    expect(csv.code).toBe(0);
    const lines = csv.out.split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines, csv.out).toHaveLength(10);
    expect(lines).toContain(`${numbers.R6},request,access,gdpr,2026-03-02,2026-06-02,yes,0,2026-04-20,answered,yes`);
    const both = 'gdpr;contract';
    expect(lines).toContain(`${numbers.R7},request,access,${both},2026-03-16,2026-04-07,no,7,2026-04-21,answered,no`);
    expect(lines).toContain(`${numbers.R4},request,objection,${both},2026-04-07,2026-04-22,no,0,,open,no`);
    expect(lines).toContain(`${numbers.R8},request,restriction,${both},2026-04-13,2026-04-28,no,0,2026-04-14,withdrawn,`
      + 'yes');
    const april = ['--from', '2026-04-01', '--to', '2026-04-30', '--now', '2026-04-20T08:00:00Z'];
    const json = JSON.parse((await cli(['export', 'requests', '--format', 'json', ...april])).out);
    expect(json.map((r: { number: string }) => r.number)).toEqual([numbers.R3, numbers.R4, numbers.R8]);
    expect(json[1]).toEqual({
      number: numbers.R4, workflow: 'request', types: 'objection', regimes: 'gdpr;contract', received: '2026-04-07',
      due: '2026-04-22', extended: 'no', paused_days: 0, answered: '', outcome: 'open', on_time: 'pending',
    });
    scan(csv.out + JSON.stringify(json));
    expect((await cli(['export', 'requests', '--from', '2026-04-30', '--to', '2026-04-01'])).code).toBe(2);
    expect((await cli(['export', 'requests', '--format', 'xlsx'])).code).toBe(2);
  });

  it('/dpo export requests uploads the CSV to the DPO or a manager, never to an agent', async () => {
    const refused = await answer(await command(h, USERS.agent, 'export requests'));
    expect(refused).toContain('Not allowed');
    const ok = await answer(await command(h, USERS.manager, 'export requests'));
    expect(ok).toContain('9 request(s)) is queued');
    await deliver(h);
    const dm = `D${USERS.manager.replace(/^U/, '')}`;
    const upload = h.fake.of('files.completeUploadExternal', (c) => c.params.channel_id === dm);
    expect(upload).toHaveLength(1);
    const csv = h.fake.uploads.get(upload[0]!.params.files[0].id)!.toString('utf8');
    expect(csv.split('\n')[0]).toBe(HEADER);
    scan(csv);
  });
});

/** The privacy scan: no name, address, e-mail, subject, message text, note or outcome text of the fixtures. */
function scan(text: string): void {
  const lower = text.toLowerCase();
  for (const [what, value] of Object.entries(PII)) {
    for (const part of [value, ...value.split(/[ ,]+/).filter((w) => w.length > 7)]) {
      expect(lower.includes(part.toLowerCase()), `${what} ("${part}") leaked`).toBe(false);
    }
  }
  expect(lower).not.toMatch(/example\.test|archived records|processor told us|encrypted disk/);
}
