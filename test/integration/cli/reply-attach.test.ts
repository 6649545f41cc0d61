/**
 * `dpo-desk reply … --attach`: the file reaches the data subject as a MIME part (the SMTP sink parses the real
 * mail), the template's list of files is the files attached, too large / missing / the wrong format are refused
 * with nothing queued, and the retention purge empties the sent copy with its attachment. SQLite and PostgreSQL.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { drainOutbox } from '../../../src/app/deliver-outbox.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { run } from '../../../src/cli/program.ts';
import type { RequestType } from '../../../src/domain/vocabulary.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk } from '../../support/desk.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';

const SUBJECT = 'subject.person@example.test';
const dir = mkdtempSync(join(tmpdir(), 'reply-attach-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const JSON_BYTES = Buffer.from(JSON.stringify({ conversations: [{ at: '2026-03-01', text: 'hello' }] }, null, 2));
const EXPORT = file('conversaciones.json', JSON_BYTES);
const USAGE = file('usage.csv', 'day,minutes\n2026-03-01,12\n');
const PDF = file('export.pdf', '%PDF-1.4 invented');
type Audit = { type: string; data: Record<string, unknown> };
const SCOPE = ['--field', 'portability.scope=The account and usage data you gave us.'];

describe('dpo-desk reply --help', () => {
  it('names the reply, its files and its limit', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => {}, env: { LOG_LEVEL: 'silent' } };
    const code = await run(['reply', '--help'], io);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^Usage: dpo-desk reply \[options\] <case>/);
    expect(out.join('\n')).toContain('--attach <file>');
  });
});

describe.each(testDatabases())('dpo-desk reply with files on $name', (tdb) => {
  let sink: SmtpSink;
  let url: string;
  let drop: () => Promise<void>;
  let env: Record<string, string>;
  const cli = async (args: string[], extra: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: { ...env, ...extra } });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const desk = () => testDesk(url, { env });
  const started = async (types: RequestType[]) => {
    const d = desk();
    const r = await openCase(d.deps, {
      kind: 'request', requestTypes: types, channel: 'mail', receivedAt: new Date(Date.now() - 86_400_000),
      requester: { email: SUBJECT, name: 'Rosa Example', verified: true }, actor: { id: 'system', role: 'system' },
    }, new Date());
    await d.close();
    expect((await cli(['case', 'do', r.case.number, 'WorkStarted'])).code).toBe(0);
    return r.case;
  };
  /** Delivers everything queued through the desk's real SMTP transport; returns the mails the sink holds. */
  const deliver = async () => {
    const d = desk();
    try {
      await drainOutbox(d.deps, d.transports, { owner: 'test' });
    } finally {
      await d.close();
    }
  };
  const answers = () => sink.messages.filter((m) => m.parsed.attachments.length > 0);
  const mailRows = async (caseId: string) => {
    const d = desk();
    try {
      return (await listOutbox(d.deps.database.db, { caseId })).filter((r) => r.channel === 'mail');
    } finally {
      await d.close();
    }
  };

  beforeAll(async () => { sink = await startSmtpSink(); });
  afterAll(async () => { await sink.close(); });
  beforeEach(async () => {
    ({ url, drop } = await freshDatabase(tdb));
    sink.messages.length = 0;
    env = {
      LOG_LEVEL: 'silent', DATABASE_URL: url, ORG_NAME: 'Example Org', DPO_EMAIL: 'dpo@example.com',
      SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), MAIL_SIGNING_SECRET: 'test-signing-secret-0123456789',
      OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'reply-outbox-')),
    };
  });
  afterEach(async () => { await drop(); });

  it('a portability answer with two files: one multipart mail carrying their bytes, listed in the text', async () => {
    const c = await started(['portability']);
    const r = await cli(['reply', c.number, '--event', 'Answered', ...SCOPE, '--attach', EXPORT, '--attach', USAGE]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${c.number}: answered — state answered; `
      + '1 mail(s) queued with conversaciones.json, usage.csv (the running desk sends them)');
    await deliver();
    await sink.waitFor(2); // the acknowledgement, then the answer
    const [mail] = answers();
    expect(answers()).toHaveLength(1);
    expect(mail!.envelope.to).toEqual([SUBJECT]);
    expect(mail!.raw.toString('latin1')).toMatch(/Content-Type: multipart\/mixed/i);
    const parts = mail!.parsed.attachments.map((a) => ({
      filename: a.filename, type: a.mimeType, bytes: Buffer.from(a.content as ArrayBuffer),
    }));
    expect(parts).toEqual([
      { filename: 'conversaciones.json', type: 'application/json', bytes: JSON_BYTES },
      { filename: 'usage.csv', type: 'text/csv', bytes: Buffer.from('day,minutes\n2026-03-01,12\n') },
    ]);
    // The template's list of files is the files attached, with their formats — not typed text.
    expect(mail!.parsed.text).toContain('conversaciones.json');
    expect(mail!.parsed.text).toMatch(/usage\.csv \(CSV\)/);
    const shown = JSON.parse((await cli(['case', 'show', c.number, '--json'])).out);
    expect(shown.audit.find((e: Audit) => e.type === 'MailQueued' && e.data.template === 'answer-portability').data)
      .toMatchObject({ attachments: 2 }); // the audit says how many files went, never their content
    // Sending again under another key is refused: the case is answered.
    const again = await cli(['reply', c.number, '--event', 'Answered', ...SCOPE, '--attach', EXPORT]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('The case is answered');
  });

  it('too large: exit 2 naming the limit, nothing queued, the case unchanged', async () => {
    const c = await started(['portability']);
    const before = (await mailRows(c.id)).length;
    const big = file('big.json', Buffer.alloc(2048, 0x20));
    const limit = { MAIL_MAX_ATTACHMENT_BYTES: '1024' };
    const r = await cli(['reply', c.number, '--event', 'Answered', ...SCOPE, '--attach', big], limit);
    expect(r.code).toBe(2);
    expect(r.err).toContain('a reply may carry at most 1024 bytes');
    expect(r.err).toContain('MAIL_MAX_ATTACHMENT_BYTES');
    expect(r.out).toBe('');
    expect(await mailRows(c.id)).toHaveLength(before);
    expect(JSON.parse((await cli(['case', 'show', c.number, '--json'])).out).state).toBe('in_progress');
  });

  it('a portability answer without a file, or with a PDF, is refused with the way out; nothing queued', async () => {
    const c = await started(['portability']);
    const before = (await mailRows(c.id)).length;
    const none = await cli(['reply', c.number, '--event', 'Answered', ...SCOPE]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('this answer speaks of files sent with it; '
      + 'attach them (`dpo-desk reply … --attach <file>`');
    const bare = await cli(['case', 'do', c.number, 'Answered']); // the same rule on every surface
    expect(bare.code).toBe(1);
    expect(bare.err).toContain('this answer speaks of files sent with it; attach them');
    // Typed file names that are not attached are named.
    const yaml = 'portability:\n  scope: all of it\n  files:\n    - { filename: x.json, format: JSON }\n';
    const details = file('details.yaml', yaml);
    const named = await cli(['reply', c.number, '--event', 'Answered', '--details', details]);
    expect(named.code).toBe(2);
    expect(named.err).toContain('this answer names files (x.json); attach them');
    const pdf = await cli(['reply', c.number, '--event', 'Answered', ...SCOPE, '--attach', PDF]);
    expect(pdf.code).toBe(2);
    expect(pdf.err).toContain('export.pdf — a portability answer carries the data machine-readable (Art. 20): '
      + 'JSON or CSV');
    expect(await mailRows(c.id)).toHaveLength(before);
    await deliver();
    expect(answers()).toHaveLength(0);
  });

  it('retention: 90 days after the answer the sent copy and its attachment are gone from the outbox', async () => {
    const c = await started(['portability']);
    expect((await cli(['reply', c.number, '--event', 'Answered', ...SCOPE, '--attach', EXPORT])).code).toBe(0);
    await deliver();
    const answer = (await mailRows(c.id)).find((m) => m.kind === 'answer-portability')!;
    expect(answer.state).toBe('sent');
    expect(JSON.stringify(answer.payload)).toContain(JSON_BYTES.toString('base64'));
    const soon = await cli(['purge', '--now', new Date(Date.now() + 30 * 86_400_000).toISOString()]);
    expect(soon.code).toBe(0);
    expect(JSON.stringify((await mailRows(c.id)).find((m) => m.kind === 'answer-portability')!.payload))
      .toContain(JSON_BYTES.toString('base64')); // within the content period: kept
    const later = await cli(['purge', '--now', new Date(Date.now() + 91 * 86_400_000).toISOString()]);
    expect(later.code).toBe(0);
    const purged = (await mailRows(c.id)).find((m) => m.kind === 'answer-portability')!;
    expect(purged.payload).toEqual({ redacted: true });
    expect(purged.state).toBe('sent'); // the row that proves the answer went stays
  });
});
