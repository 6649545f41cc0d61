/** The dpo-desk command, run in-process (and once as a real process) against an SQLite file and PostgreSQL. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openCase } from '../../../src/app/open-case.ts';
import { run } from '../../../src/cli/program.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';

async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: { LOG_LEVEL: 'silent', ...env } });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('dpo-desk deadline', () => {
  it('prints the JSON fields of the issue for every regime', async () => {
    const gdpr = JSON.parse((await cli(['deadline', '--regime', 'gdpr', '--received', '2026-03-05', '--holidays', 'DE', '--json'])).out);
    expect(gdpr).toMatchObject({ received: '2026-03-05', raw_due: '2026-04-05', due: '2026-04-07', extended_due: '2026-06-05', holidays: 'DE' });
    expect(gdpr.rule).toContain('Art. 12(3)');
    const paused = JSON.parse((await cli(['deadline', '--regime', 'gdpr', '--received', '2026-02-05', '--pause', '2026-03-03..2026-03-10', '--json'])).out);
    expect(paused).toMatchObject({ raw_due: '2026-03-05', due: '2026-03-12', paused_days: 7 });
    const uk = JSON.parse((await cli(['deadline', '--regime', 'uk-gdpr', '--received', '2026-03-05', '--id-received', '2026-03-10', '--tz', 'Europe/London', '--holidays', 'GB-ENG', '--json'])).out);
    expect(uk).toMatchObject({ raw_due: '2026-04-10', due: '2026-04-10', holidays: 'GB-ENG' });
    const ccpa = JSON.parse((await cli(['deadline', '--regime', 'ccpa', '--received', '2026-01-10', '--tz', 'America/Los_Angeles', '--holidays', 'US', '--json'])).out);
    expect(ccpa).toMatchObject({ due: '2026-02-24', acknowledge_by: '2026-01-26', extended_due: '2026-04-10' });
    const contract = JSON.parse((await cli(['deadline', '--regime', 'contract', '--received', '2026-03-27', '--contract-days', '15', '--contract-unit', 'business', '--json'])).out);
    expect(contract).toMatchObject({ due: '2026-04-21', extended_due: null });
    const lgpd = JSON.parse((await cli(['deadline', '--regime', 'lgpd', '--received', '2026-03-07', '--json'])).out);
    expect(lgpd).toMatchObject({ due: '2026-03-22' });
    const breach = JSON.parse((await cli(['deadline', '--regime', 'gdpr-breach', '--received', '2026-03-27T08:00:00Z', '--aware', '2026-03-27T10:00:00+01:00', '--json'])).out);
    expect(breach).toMatchObject({ due_at: '2026-03-30T09:00:00.000Z', rule: 'GDPR Art. 33(1)' });
  });

  it('takes the receipt date of an instant in the time zone (23:30 UTC 31 Jan = 1 Feb in Berlin)', async () => {
    const r = JSON.parse((await cli(['deadline', '--regime', 'gdpr', '--received', '2026-01-31T23:30:00Z', '--json'])).out);
    expect(r.received).toBe('2026-02-01');
  });

  it('defaults --tz and --holidays to ORG_TIMEZONE and ORG_HOLIDAYS', async () => {
    const r = JSON.parse((await cli(['deadline', '--regime', 'gdpr', '--received', '2026-03-05', '--json'], { ORG_HOLIDAYS: 'none' })).out);
    expect(r).toMatchObject({ due: '2026-04-06', holidays: 'none' });
  });

  it('explains in words without --json', async () => {
    const r = await cli(['deadline', '--regime', 'gdpr', '--received', '2026-03-05', '--holidays', 'DE']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Due date 2026-04-06 is not a working day (Ostermontag).');
    expect(r.out).toContain('Due: 2026-04-07');
  });

  it.each([
    [['deadline', '--regime', 'hipaa', '--received', '2026-03-05'], /Allowed choices are gdpr/],
    [['deadline', '--regime', 'gdpr'], /required option '--received/],
    [['deadline', '--regime', 'gdpr', '--received', '05.03.2026'], /expected a date YYYY-MM-DD/],
    [['deadline', '--regime', 'gdpr', '--received', '2026-03-05', '--pause', '2026-03-10..2026-03-03'], /<question date>\.\.<answer date>/],
    [['deadline', '--regime', 'gdpr', '--received', '2026-03-05', '--tz', 'Mars/Base'], /unknown IANA time zone/],
    [['deadline', '--regime', 'gdpr', '--received', '2026-03-05', '--holidays', 'XX'], /unknown calendar/],
    [['deadline', '--regime', 'contract', '--received', '2026-03-05', '--contract-days', '0'], /whole number of days/],
    [['frobnicate'], /unknown command/],
    [['case', 'show', 'not-a-number'], /not a case number/],
  ])('bad usage %j exits 2 with a message and a hint', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('every command has --help', async () => {
    for (const args of [[], ['migrate'], ['doctor'], ['cases'], ['case', 'show'], ['audit', 'verify'], ['deadline'], ['ingest'], ['tick'], ['start'], ['demo']]) {
      const r = await cli([...args, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Usage: dpo-desk/);
    }
  });

  it('names every bad config key and exits 1', async () => {
    const r = await cli(['cases'], { ORG_TIMEZONE: 'Nowhere/City', CONTRACT_UNIT: 'weeks', DATABASE_URL: 'sqlite::memory:' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('CONTRACT_UNIT: expected calendar or business');
    expect(r.err).toContain('ORG_TIMEZONE: expected an IANA time zone');
  });

  it('runs as a real process through bin/dpo-desk.mjs', () => {
    const out = execFileSync('node', ['bin/dpo-desk.mjs', 'deadline', '--regime', 'gdpr', '--received', '2026-08-31', '--holidays', 'none', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject({ due: '2026-09-30' });
    const bad = spawnSync('node', ['bin/dpo-desk.mjs', 'deadline', '--regime', 'gdpr', '--received', '2026-03-05', '--nope'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown option '--nope'");
  });
});

describe.each(testDatabases())('dpo-desk storage commands on $name', (tdb) => {
  let url: string;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    ({ url, drop } = await freshDatabase(tdb));
  });
  afterEach(async () => { await drop(); });

  it('demo: the sample mail through the real pipeline, then the board; a second run adds nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'demo-'));
    const env = { DATABASE_URL: url, OUTBOX_DIR: out };
    const first = await cli(['demo'], env);
    expect(first.code).toBe(0);
    expect(first.out).toContain('Intake of 265 sample messages:');
    expect(first.out).toMatch(/199\s+create request/); // typed requests and triage cases: no person's mail is ignored
    expect(first.out).toMatch(/15\s+create breach/);
    expect(first.out).toMatch(/1\s+quarantine \(unparseable\)/);
    expect(first.out).not.toMatch(/not_a_request/);
    expect(first.out).toMatch(/DSR-2026-0010\s+access\s+received\s+gdpr\s+2026-04-02\s+in 22d/);
    expect(first.out).toMatch(/DSR-\d{4}-\d{4}\s+request\s+triage\s+gdpr\s+2026-03-\d\d\s+in \d+d/);
    expect(readdirSync(out).filter((f) => f.includes('acknowledgement')).length).toBeGreaterThan(40);
    const again = await cli(['demo'], env);
    expect(again.out).toMatch(/265\s+ignore \(duplicate\)/);
    expect(JSON.parse((await cli(['cases', '--json'], env)).out)).toHaveLength(214);
  }, 180_000); // 265 messages, twice, on a shared machine

  it('tick: --dry-run previews the reminders due at an instant and changes nothing; tick sends them once', async () => {
    // No Slack configured: Slack-bound messages go to the outbox folder (the file transport).
    const env = { DATABASE_URL: url, ORG_NAME: 'Example Org', DPO_EMAIL: 'dpo@example.com', OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'tick-')) };
    const desk = testDesk(url, { env });
    await openCase(desk.deps, {
      kind: 'request', requestTypes: ['erasure'], channel: 'cli', receivedAt: new Date('2026-03-05T09:00:00Z'), owner: 'U0OWNER',
      actor: { id: 'cli', role: 'dpo' },
    }, new Date('2026-03-05T10:00:00Z'));
    await desk.close();
    const preview = JSON.parse((await cli(['tick', '--now', '2026-03-27T08:00:00Z', '--dry-run', '--json'], env)).out);
    expect(preview).toMatchObject({ dry_run: true, claimed: 5, delivered: 0 });
    expect(preview.messages).toEqual([
      { channel: 'slack', to: 'user U0OWNER', items: [{ case: 'DSR-2026-0001', clock: 'GDPR one month', rules: ['owner-10wd', 'owner-5wd', 'extend-or-not'], due: '2026-04-07', overdue: false }] },
      { channel: 'mail', to: 'dpo@example.com', items: [{ case: 'DSR-2026-0001', clock: 'GDPR one month', rules: ['dpo-5wd', 'extend-or-not'], due: '2026-04-07', overdue: false }] },
    ]);
    expect(JSON.parse((await cli(['tick', '--now', '2026-03-27T08:00:00Z', '--dry-run', '--json'], env)).out).claimed).toBe(5); // nothing changed
    const real = JSON.parse((await cli(['tick', '--now', '2026-03-27T08:00:00Z', '--json'], env)).out);
    expect(real).toMatchObject({ dry_run: false, claimed: 5, delivered: 3 }); // 2 reminders + the case-opened notice still queued
    expect(JSON.parse((await cli(['tick', '--now', '2026-03-27T08:00:30Z', '--json'], env)).out)).toMatchObject({ claimed: 0, messages: [] });
    expect((await cli(['tick', '--now', 'tomorrow'], env))).toMatchObject({ code: 2, err: expect.stringContaining('ISO instant') });
  });

  it('migrate, doctor, cases, case show and audit verify', async () => {
    const env = { DATABASE_URL: url, ORG_NAME: 'Example Org', DPO_EMAIL: 'dpo@example.com' };
    expect((await cli(['migrate'], env)).out).toBe('Database is up to date.');
    const doctor = await cli(['doctor'], env);
    expect(doctor.code).toBe(0);
    expect(doctor.out.split('\n').map((l) => l.split(':')[0])).toEqual(
      ['ok    config', 'ok    database', 'ok    migrations', 'ok    workflows', 'ok    documents', 'ok    holiday calendar', 'ok    outbox']);

    const clock = virtualClock('2026-03-05T10:00:00Z');
    const desk = testDesk(url, { clock });
    await openCase(desk.deps, {
      kind: 'request', requestTypes: ['access'], channel: 'mail', receivedAt: new Date('2026-03-05T09:00:00Z'),
      requester: { email: 'ada.example@example.test', name: 'Ada Example', verified: true }, actor: { id: 'system', role: 'system' },
    }, clock());
    await openCase(desk.deps, { kind: 'breach', channel: 'cli', receivedAt: new Date('2026-03-27T09:00:00Z'), actor: { id: 'cli', role: 'dpo' } }, clock());

    const list = JSON.parse((await cli(['cases', '--json'], env)).out);
    expect(list.map((c: { number: string }) => c.number)).toEqual(['BRE-2026-0001', 'DSR-2026-0001']);
    const board = (await cli(['cases'], env)).out;
    expect(board).toMatch(/DSR-2026-0001\s+access\s+received\s+gdpr\s+2026-04-07/);
    expect(board).not.toContain('Ada');

    const show = await cli(['case', 'show', 'dsr-2026-1', '--json'], env);
    const view = JSON.parse(show.out);
    expect(view).toMatchObject({ number: 'DSR-2026-0001', governing_regime: 'gdpr' });
    expect(view.deadlines[0]).toMatchObject({ regime: 'gdpr', due: '2026-04-07', rule: expect.stringContaining('Art. 12(3)') });
    expect(view.audit.map((e: { type: string }) => e.type)).toEqual(['CaseOpened', 'DeadlineComputed', 'MailQueued']);
    expect(show.out).not.toContain('Ada');
    const text = (await cli(['case', 'show', 'dsr-2026-1'], env)).out; // the audit trail in words, its event type after
    expect(text).toMatch(/#1 \S+ Case opened( by \S+| from the command line)?\. \[CaseOpened\]/);
    expect(text).toMatch(/#2 \S+ Deadline computed.* \[DeadlineComputed\]/);
    expect((await cli(['case', 'show', 'DSR-2026-0001', '--private', '--json'], env)).out).toContain('Ada Example');
    expect((await cli(['case', 'show', 'DSR-2026-0042'], env))).toMatchObject({ code: 1, err: expect.stringContaining('no case DSR-2026-0042') });

    expect(await cli(['audit', 'verify'], env)).toMatchObject({ code: 0, out: 'Audit log intact: 5 event(s), chain verified.' });
    await sql`UPDATE audit_events SET actor = 'mallory' WHERE seq = 2`.execute(desk.deps.database.db);
    await desk.close();
    const tampered = await cli(['audit', 'verify'], env);
    expect(tampered.code).toBe(1);
    expect(tampered.err).toContain('event #2: content does not match its hash (edited)');
  });
});
