/**
 * Breach journeys, end to end on SQLite and PostgreSQL: the real Bolt app over signed HTTP with a fake Slack Web
 * API, mail into Dovecot read by the real poller, mail out over SMTP into a sink, virtual time. Each asserts what
 * every person receives: the DPO's page, the authority's text, each customer's alert, each person's notice.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findCaseByNumber, listCases } from '../../src/adapters/db/case-repository.ts';
import { createImapPoller } from '../../src/adapters/mail/imap-poller.ts';
import { addCustomers, linkBreachCustomers } from '../../src/app/breach/customers.ts';
import { sweepReminders } from '../../src/app/sweep-reminders.ts';
import { testDatabases } from '../support/databases.ts';
import { deliverLmtp, dovecotOrSkip, freshUser } from '../support/dovecot.ts';
import { interactiveBody, postSigned } from '../support/fake-slack.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { readFixture } from '../unit/intake/intake-fixtures.ts';
import {
  answer,
  click,
  command,
  deliver,
  expectNoPersonalData,
  openedView,
  SECRET,
  startHarness,
  submit,
  USERS,
  type Harness,
} from '../integration/slack/harness.ts';

const dovecot = dovecotOrSkip();
const HOUR = 3_600_000;

describe.skipIf(!dovecot).each(testDatabases())('breach journeys on $name', (tdb) => {
  let h: Harness;
  let sink: SmtpSink;
  let mailbox: string;
  const start = async (env: Record<string, string> = {}) => {
    sink = await startSmtpSink();
    mailbox = freshUser('dpo');
    h = await startHarness(tdb, {
      IMAP_HOST: dovecot!.host,
      IMAP_PORT: String(dovecot!.imapPort),
      IMAP_SECURE: 'false',
      IMAP_USER: mailbox,
      IMAP_PASSWORD: dovecot!.password,
      MAIL_RECEIVING_HOSTS: 'mx.example.com',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      MAIL_SIGNING_SECRET: 'journey-signing-secret-0123',
      MAIL_FROM: 'privacy@example.com',
      BREACH_NOTICES_PER_MINUTE: '2',
      ...env,
    });
  };
  afterEach(async () => {
    expectNoPersonalData(h.fake);
    await h?.close();
    await sink?.close();
  });

  /** The event's button on the case (its form, built from breach.yaml), filled in and submitted: the ack. */
  const record = async (user: string, number: string, event: string, values: Record<string, unknown>) => {
    const view = await openedView(h, (await click(h, user, 'case_event', `${number}|${event}`)).trigger);
    return { view, ack: (await submit(h, user, view, values)).ack };
  };
  const mailsTo = (to: string) => sink.messages.filter((m) => m.envelope.to.includes(to));
  /** The sink parses each message after accepting it: wait for the condition itself. */
  const eventually = (check: () => void) => vi.waitFor(check, { timeout: 10_000 });
  const register = async (user: string) => {
    expect(await answer(await command(h, user, 'export register'))).toContain('uploaded to you in a direct message');
    const done = h.fake.of('files.completeUploadExternal').at(-1)!;
    return h.fake.uploads.get(done.params.files[0].id as string)!.toString('utf8');
  };

  describe('controller', () => {
    beforeEach(() => start());

    it('a stolen laptop reported by mail, notified 80 hours later with reasons, communicated to 3 people in German and English', async () => {
      h.clock.set('2026-03-06T08:05:00Z'); // read 17 minutes after it arrived: the page still goes at once
      await deliverLmtp(dovecot!, mailbox, Buffer.from(readFixture('breach-stolen-laptop-en')));
      await createImapPoller(h.desk.deps, h.desk.deps.config.imap!, { owner: 'journey' }).runOnce();
      const c = (await listCases(h.desk.deps.database.db)).find((x) => x.kind === 'breach')!;
      expect(c.awareAt!.toISOString()).toBe('2026-03-06T07:48:14.000Z');

      // Hour 0: the DPO is paged by Slack DM and by mail.
      await sweepReminders(h.desk.deps, h.clock());
      await deliver(h);
      expect(
        h.fake.of(
          'chat.postMessage',
          (m) => m.params.channel === 'D0DPO' && JSON.stringify(m.params).includes(c.number),
        ).length,
      ).toBeGreaterThan(0);
      await eventually(() =>
        expect(
          mailsTo('dpo@example.com')
            .map((m) => m.parsed.text)
            .join(),
        ).toContain(`${c.number} ·`),
      );

      // Hour 2: the DPO assesses, with the facts of Art. 33(3).
      h.clock.advance(2 * HOUR);
      expect(
        (
          await record(USERS.dpo, c.number, 'Assessed', {
            risk: 'high',
            reasons: 'unencrypted laptop with payroll data',
            nature: 'confidentiality: laptop stolen from a car',
            subject_categories: 'employees',
            subjects_approx: 'about 120',
            record_categories: 'payroll; bank details',
            records_approx: 'about 1,300',
            consequences: 'identity theft and fraud with bank details',
            measures: 'device wiped remotely\nbank informed',
          })
        ).ack.view.blocks[0].text.text,
      ).toContain('risk assessed as high (state assessed)');
      expect((await findCaseByNumber(h.desk.deps.database.db, c.number))!.state).toBe('assessed');

      // Hour 80: the notification needs the reasons for the delay; refused without them, recorded with them.
      h.clock.set(new Date(c.awareAt!.getTime() + 80 * HOUR));
      const late = await record(USERS.dpo, c.number, 'AuthorityNotified', {
        phase: 'initial',
        reference: 'LDA-2026-4711',
      });
      expect(JSON.stringify(late.view.blocks)).toContain('72 hours from awareness end 2026-03-09 08:48 Europe/Berlin');
      expect(late.ack).toMatchObject({
        response_action: 'errors',
        errors: { late_reasons: expect.stringContaining('more than 72 h') },
      });
      expect((await findCaseByNumber(h.desk.deps.database.db, c.number))!.state).toBe('assessed');
      const ok = await submit(h, USERS.dpo, late.view, {
        phase: 'initial',
        reference: 'LDA-2026-4711',
        late_reasons: 'the theft was only linked to the laptop inventory on Monday',
      });
      expect(JSON.stringify(ok.ack)).toContain('authority notification (initial) recorded (state notified)');

      // Art. 34: communicate; the list pasted as CSV (a bad row named by its line), the notices rate-limited.
      await record(USERS.dpo, c.number, 'SubjectsNotificationDecided', {
        decision: 'communicate',
        reasons: 'high risk of fraud',
      });
      const csv =
        'email,language,name\nanna.schmidt@example.test,de,Anna Schmidt\nben.jones@example.test,en,Ben Jones\nnot-an-address,de,\n';
      const bad = await record(USERS.dpo, c.number, 'SubjectsNotified', { recipients_csv: csv });
      expect(bad.ack.errors.recipients_csv).toContain('line 4: "not-an-address" is not an e-mail address');
      const fixed = csv.replace('not-an-address,de,', 'carla.weber@example.test,de,Carla Weber');
      const sent = await submit(h, USERS.dpo, bad.view, {
        recipients_csv: fixed,
        recommendations: 'watch your bank statements',
      });
      expect(JSON.stringify(sent.ack)).toContain('notices queued to the people on the list (state notified)');
      await deliver(h);
      const notices = () =>
        sink.messages.filter(
          (m) => m.parsed.subject?.includes(c.number) && m.envelope.to.some((t) => t.endsWith('@example.test')),
        );
      await eventually(() => expect(notices()).toHaveLength(2));
      h.clock.advance(60_000);
      await deliver(h);
      await eventually(() => expect(notices()).toHaveLength(3));
      expect(notices().map((m) => [m.envelope.to[0], m.parsed.subject!.replace(/^\[[^\]]+\] /, '')])).toEqual([
        ['anna.schmidt@example.test', 'Example Org: Wichtige Information zur Sicherheit Ihrer personenbezogenen Daten'],
        ['ben.jones@example.test', 'Example Org: important information about the security of your personal data'],
        ['carla.weber@example.test', 'Example Org: Wichtige Information zur Sicherheit Ihrer personenbezogenen Daten'],
      ]);
      expect(notices()[0]!.parsed.text).toContain('Guten Tag Anna Schmidt');
      expect(notices()[1]!.parsed.text).toContain('identity theft and fraud with bank details');
      expect(notices()[1]!.parsed.text).toContain('watch your bank statements');

      const status = await answer(await command(h, USERS.dpo, `show ${c.number}`));
      expect(status).toContain('authority: initial');
      expect(status).toContain('notices: 3 sent, 0 pending, 0 failed');
      const csvOut = await register(USERS.dpo);
      for (const s of [
        c.number,
        'high',
        'LDA-2026-4711',
        'the theft was only linked to the laptop inventory on Monday',
        'communicate',
        '3/0/0',
      ])
        expect(csvOut).toContain(s);
    });

    it('blocked login attempts: reported, closed as not a breach, present in the register with who decided', async () => {
      const s = await globalShortcut(h, USERS.agent);
      const view = await openedView(h, s.trigger);
      await submit(h, USERS.agent, view, {
        what: '3,000 blocked login attempts on the customer portal overnight',
        contained: 'yes',
      });
      const c = (await listCases(h.desk.deps.database.db)).find((x) => x.kind === 'breach')!;
      h.clock.advance(HOUR);
      const nb = await record(USERS.dpo, c.number, 'NotABreach', {
        reasons: 'unsuccessful attempts only; no account was accessed (gdpr-rules §4)',
      });
      expect(JSON.stringify(nb.ack)).toContain('documented as not a breach (state not notifiable)');
      const close = await openedView(h, (await command(h, USERS.dpo, `close ${c.number}`)).trigger);
      await submit(h, USERS.dpo, close, {
        resolution: 'Closed',
        outcome: 'rate limiting tightened on the login endpoint',
      });
      expect((await findCaseByNumber(h.desk.deps.database.db, c.number))!.state).toBe('closed');
      const row = (await register(USERS.manager)).split('\r\n').find((l) => l.startsWith(c.number))!;
      expect(row).toContain(',closed,');
      expect(row).toContain(
        'not_a_breach,"unsuccessful attempts only; no account was accessed (gdpr-rules §4)",U0DPO,',
      );
      expect(row).toContain('rate limiting tightened on the login endpoint');
    });

    it('a workspace member without a role reports through the shortcut and later sees only the number and state', async () => {
      const s = await globalShortcut(h, USERS.nobody);
      const view = await openedView(h, s.trigger);
      const ack = (
        await submit(h, USERS.nobody, view, {
          what: 'I sent the client list to the wrong customer',
          data: 'names, e-mail addresses',
          people: 'about 300',
          contained: 'no',
        })
      ).ack;
      const c = (await listCases(h.desk.deps.database.db)).find((x) => x.kind === 'breach')!;
      expect(JSON.stringify(ack)).toContain(`Your report is *${c.number}* (state: reported)`);
      await sweepReminders(h.desk.deps, h.clock());
      await deliver(h);
      await eventually(() =>
        expect(mailsTo('dpo@example.com').some((m) => m.parsed.text?.includes(`${c.number} ·`))).toBe(
          true,
        ),
      );
      await record(USERS.dpo, c.number, 'Assessed', { risk: 'risk', reasons: 'contact data only' });
      expect(await answer(await command(h, USERS.nobody, 'reports'))).toContain(`${c.number} — assessed`);
      expect(await answer(await command(h, USERS.nobody, `assess ${c.number} high many people`))).toContain(
        'Not allowed',
      );
      expect(await answer(await command(h, USERS.nobody, 'export register'))).toContain('Not allowed');
    });
  });

  describe('processor', () => {
    beforeEach(() => start({ ORG_ROLE: 'processor' }));

    it('an incident affecting two customers: each alerted in its language at its security address, then a supplement', async () => {
      await addCustomers(
        h.desk.deps,
        [
          {
            id: 'acme',
            name: 'Acme Shop',
            domains: ['acme.example'],
            securityAddress: 'security@acme.example',
            language: 'en',
          },
          {
            id: 'bergbau',
            name: 'Bergbau AG',
            domains: ['bergbau.example'],
            securityAddress: 'sicherheit@bergbau.example',
            language: 'de',
            noticeHours: 48,
          },
        ],
        h.clock(),
      );
      const report = await openedView(h, (await command(h, USERS.dpo, 'breach')).trigger);
      await submit(h, USERS.dpo, report, {
        aware_at: '2026-03-05T09:00:00Z',
        description: 'Misconfigured export job',
        data_categories: 'contact details',
      });
      const c = await vi.waitFor(async () => {
        const found = (await listCases(h.desk.deps.database.db)).find((x) => x.kind === 'breach');
        if (!found) throw new Error('the case opens after the ack');
        return found;
      });
      expect(
        await linkBreachCustomers(
          h.desk.deps,
          c.number,
          ['acme', 'bergbau'],
          { id: USERS.dpo, role: 'dpo' },
          h.clock(),
        ),
      ).toMatchObject({ ok: true });
      expect(await answer(await command(h, USERS.dpo, `notify ${c.number} initial`))).toContain(
        'is not something a breach case takes',
      );

      h.clock.advance(3 * HOUR);
      const first = await record(USERS.dpo, c.number, 'CustomerNotified', {
        description: 'An export job wrote files to a public bucket',
        nature: 'confidentiality',
      });
      expect(JSON.stringify(first.ack)).toContain('customer alert queued (state notified)');
      h.clock.advance(20 * HOUR);
      await record(USERS.dpo, c.number, 'CustomerNotified', {
        subjects_approx: 'about 2,400',
        consequences: 'phishing',
        measures: 'bucket closed\nfiles deleted',
      });
      await deliver(h);
      await eventually(() =>
        expect(
          sink.messages.filter((m) => m.envelope.to.some((t) => t.includes('@acme.') || t.includes('@bergbau.'))),
        ).toHaveLength(4),
      );
      const alerts = sink.messages.filter(
        (m) => m.parsed.subject?.includes(c.number) && !m.envelope.to.includes('dpo@example.com'),
      );
      expect(alerts.map((m) => [m.envelope.to[0], m.parsed.subject!.replace(/^.*: /, '')])).toEqual([
        ['security@acme.example', 'security incident notification – initial notice'],
        ['sicherheit@bergbau.example', 'Meldung eines Sicherheitsvorfalls – Erstmeldung'],
        ['security@acme.example', 'security incident notification – supplement 1'],
        ['sicherheit@bergbau.example', 'Meldung eines Sicherheitsvorfalls – Nachtrag 1'],
      ]);
      expect(alerts[1]!.parsed.text).toContain('noch nicht bekannt');
      expect(alerts[3]!.parsed.text).toContain('about 2,400');
      expect(alerts[2]!.parsed.text).toContain('dpo@example.com');
      const [entry] = parse(await register(USERS.dpo), { columns: true }) as Record<string, string>[];
      expect(entry).toMatchObject({
        case: c.number,
        role: 'processor',
        customers: 'Acme Shop; Bergbau AG',
        authority_phases: '',
      });
      expect(entry).toMatchObject({
        record_categories: 'contact details',
        subjects_approx: 'about 2,400',
        nature: 'confidentiality',
      });
      expect(entry!.customer_alerts).toContain('Bergbau AG supplement-1@');
    });
  });

  async function globalShortcut(hh: Harness, user: string) {
    const trigger = `trigger-${randomUUID()}`;
    const payload = {
      type: 'shortcut',
      callback_id: 'report_incident',
      trigger_id: trigger,
      team: { id: 'T0001' },
      user: { id: user, team_id: 'T0001' },
      api_app_id: 'A0FAKE',
      token: 't',
      action_ts: '1700000000.1',
    };
    await postSigned(hh.url, interactiveBody(payload), { secret: SECRET });
    return { trigger };
  }
});
