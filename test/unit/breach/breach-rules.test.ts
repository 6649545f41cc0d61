/** The breach desk's pure rules: the register entry's decisions, the 72-hour rule, recipients CSV, the register CSV. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../../src/main.ts';
import { assess, decide, decideSubjects, emptyRecord, missingFacts } from '../../../src/domain/breach/breach-record.ts';
import { customerNamed, customersFromConfig, parseCustomer } from '../../../src/domain/breach/customers.ts';
import { authorityDraft, customerAlertFields, subjectNoticeFields } from '../../../src/domain/breach/drafts.ts';
import { checkAuthorityNotification } from '../../../src/domain/breach/notification-rules.ts';
import { notBefore, parseRecipients } from '../../../src/domain/breach/recipients.ts';
import {
  escapeFormula,
  REGISTER_COLUMNS,
  registerCsv,
  type RegisterEntry,
} from '../../../src/domain/breach/register.ts';

const at = new Date('2026-03-27T09:00:00Z');
const facts = {
  description: 'Backup bucket readable without login',
  nature: 'confidentiality',
  subjectCategories: ['customers'],
  subjectsApprox: 'about 1,200',
  recordCategories: ['contact details'],
  recordsApprox: 'about 3,000',
  consequences: 'phishing',
  measures: ['bucket closed', 'keys rotated'],
};

describe('the register entry', () => {
  it('an assessment needs a known risk and reasons; facts merge field by field', () => {
    expect(assess(emptyRecord(), { facts: {}, risk: 'severe', reasons: 'x', by: 'U1', at })).toMatchObject({
      ok: false,
      code: 'RISK_INVALID',
    });
    expect(assess(emptyRecord(), { facts: {}, risk: 'high', reasons: ' ', by: 'U1', at })).toMatchObject({
      ok: false,
      code: 'REASONS_REQUIRED',
    });
    const a = assess(emptyRecord(), {
      facts: { nature: 'confidentiality' },
      risk: 'risk',
      reasons: 'contact data',
      by: 'U1',
      at,
    });
    if (!a.ok) throw new Error(a.message);
    const b = assess(a.record, {
      facts: { consequences: 'phishing' },
      risk: 'high',
      reasons: 'passwords too',
      by: 'U2',
      at,
    });
    expect(b.ok && b.record).toMatchObject({
      facts: { nature: 'confidentiality', consequences: 'phishing' },
      assessment: { risk: 'high', by: 'U2', at: at.toISOString() },
    });
    expect(missingFacts(b.ok ? b.record.facts : {})).toContain('measures');
  });

  it('"not a breach" and "not notifiable" need reasons; a high-risk breach is not "not notifiable"', () => {
    expect(decide(emptyRecord(), 'not_a_breach', '', 'U1', at)).toMatchObject({ ok: false, code: 'REASONS_REQUIRED' });
    expect(decide(emptyRecord(), 'not_a_breach', 'blocked login attempts only', 'U1', at)).toMatchObject({
      ok: true,
      record: { decision: { kind: 'not_a_breach' } },
    });
    const high = assess(emptyRecord(), { facts: {}, risk: 'high', reasons: 'r', by: 'U1', at });
    expect(decide(high.ok ? high.record : emptyRecord(), 'not_notifiable', 'r', 'U1', at)).toMatchObject({
      ok: false,
      code: 'HIGH_RISK',
    });
  });

  it('Art. 34: communicate, or an exemption ground; ground (c) needs the public communication', () => {
    expect(decideSubjects(emptyRecord(), { decision: 'exempt', reasons: 'r', by: 'U1', at })).toMatchObject({
      ok: false,
      code: 'GROUND_REQUIRED',
    });
    expect(
      decideSubjects(emptyRecord(), { decision: 'exempt', ground: 'c', reasons: 'r', by: 'U1', at }),
    ).toMatchObject({ ok: false, code: 'PUBLIC_TEXT_REQUIRED' });
    expect(
      decideSubjects(emptyRecord(), {
        decision: 'exempt',
        ground: 'a',
        reasons: 'encrypted (AES-256), key safe',
        by: 'U1',
        at,
      }),
    ).toMatchObject({ ok: true, record: { subjects: { decision: 'exempt', ground: 'a' } } });
    expect(
      decideSubjects(emptyRecord(), {
        decision: 'exempt',
        ground: 'C',
        reasons: 'no addresses',
        publicText: 'Notice on our website',
        by: 'U1',
        at,
      }),
    ).toMatchObject({ ok: true, record: { subjects: { ground: 'c', publicText: 'Notice on our website' } } });
  });
});

describe('GDPR Art. 33(1): the 72-hour rule', () => {
  const awareAt = new Date('2026-03-27T09:00:00Z'); // 10:00 Berlin; +72 h = 30 March 11:00 Berlin (DST)
  const base = { role: 'controller' as const, awareAt, phase: 'initial', previousPhases: [] };
  it('within 72 hours: no reasons needed; after: refused without reasons for the delay, accepted with them', () => {
    expect(checkAuthorityNotification({ ...base, at: new Date('2026-03-30T09:00:00Z') })).toEqual({
      ok: true,
      late: false,
    });
    expect(checkAuthorityNotification({ ...base, at: new Date('2026-03-30T09:01:00Z') })).toMatchObject({
      ok: false,
      code: 'LATE_REASONS_REQUIRED',
      message: expect.stringContaining('72 h'),
    });
    expect(
      checkAuthorityNotification({ ...base, at: new Date('2026-03-30T09:01:00Z'), lateReasons: 'forensics' }),
    ).toEqual({ ok: true, late: true });
  });
  it('phases in order; a processor never records an authority notification', () => {
    expect(checkAuthorityNotification({ ...base, phase: 'final', at })).toMatchObject({
      ok: false,
      code: 'PHASE_ORDER',
    });
    expect(
      checkAuthorityNotification({
        ...base,
        phase: 'follow-up',
        previousPhases: ['initial'],
        at: new Date('2026-04-10T00:00:00Z'),
      }),
    ).toEqual({ ok: true, late: false });
    expect(checkAuthorityNotification({ ...base, role: 'processor', at })).toMatchObject({
      ok: false,
      code: 'PROCESSOR_ROLE',
    });
    expect(checkAuthorityNotification({ ...base, phase: 'later', at })).toMatchObject({
      ok: false,
      code: 'PHASE_INVALID',
    });
  });
});

describe('drafts from the recorded facts', () => {
  const c = {
    number: 'BRE-2026-0001',
    detectedAt: null,
    awareAt: new Date('2026-03-27T09:00:00Z'),
    zone: 'Europe/Berlin',
  };
  const org = { name: 'Example Org', dpoEmail: 'dpo@example.com' };
  it('the authority notification names every Art. 33(3) point, unknown facts "to follow" in the language', () => {
    const d = authorityDraft({
      org,
      c,
      record: { facts: { nature: 'Vertraulichkeit' } },
      lang: 'de',
      phase: 'initial',
      at: c.awareAt,
      lateReasons: 'x',
    });
    expect(d.notification).toMatchObject({ phase: 'Erstmeldung', lateReasons: 'x' });
    expect(d.breach).toMatchObject({
      nature: 'Vertraulichkeit',
      consequences: expect.stringContaining('noch nicht bekannt'),
      aware: '2026-03-27 10:00 Europe/Berlin (+01:00)',
    });
    expect(d.breach.toFollow).toContain('likely consequences');
    expect(d.contact.email).toBe('dpo@example.com');
  });
  it("the customer alert carries the DPA facts and a numbered supplement; the people's notice needs (b)-(d)", () => {
    const a = customerAlertFields({
      org,
      c,
      record: { facts },
      lang: 'en',
      customerName: 'Acme',
      supplement: { number: 1, previousNoticeDate: '2026-03-27' },
    });
    expect(a.incident).toMatchObject({
      awareDate: '2026-03-27',
      dataSubjects: { approximateNumber: 'about 1,200' },
      supplement: { number: 1 },
    });
    expect(subjectNoticeFields({ facts: {} })).toMatchObject({
      ok: false,
      message: expect.stringContaining('likely consequences'),
    });
    expect(subjectNoticeFields({ facts })).toMatchObject({
      ok: true,
      fields: { breach: { measures: ['bucket closed', 'keys rotated'] } },
    });
  });
});

describe('Art. 34 recipients from CSV', () => {
  it('validates each row (line numbers), deduplicates case-insensitively, language per row', () => {
    const csv =
      'email,language,name\nana@example.test,es,Ana\nBOB@example.test,de,\nnot-an-address,en,\nana@EXAMPLE.test,es,Ana\ncy@example.test,xx,\n';
    const r = parseRecipients(csv, 'en');
    expect(r.errors).toEqual([
      'line 4: "not-an-address" is not an e-mail address',
      'line 6: language "xx" is not one of en, de, fr, es',
    ]);
    expect(r.recipients.map((x) => [x.email, x.language])).toEqual([
      ['ana@example.test', 'es'],
      ['bob@example.test', 'de'],
    ]);
    expect(r.duplicates).toBe(1);
    expect(parseRecipients('zoe@example.test\n', 'fr').recipients[0]).toMatchObject({
      email: 'zoe@example.test',
      language: 'fr',
      line: 1,
    });
    expect(parseRecipients('', 'en').errors).toEqual(['the file lists no addresses']);
  });
  it('the rate limit spreads notices over minutes', () => {
    const t = new Date('2026-03-27T09:00:00Z');
    expect([0, 1, 2, 3, 4].map((i) => notBefore(t, i, 2).toISOString().slice(11, 16))).toEqual([
      '09:00',
      '09:00',
      '09:01',
      '09:01',
      '09:02',
    ]);
  });
});

describe('customers', () => {
  it('validated, matched by sender domain or named domain; the config map as a fallback', () => {
    expect(parseCustomer({ id: 'Acme!', name: '' })).toMatchObject({ ok: false });
    const acme = parseCustomer({
      id: 'acme',
      name: 'Acme',
      domains: ['acme.example'],
      securityAddress: 'SEC@acme.example',
    });
    if (!acme.ok) throw new Error(acme.errors.join());
    expect(acme.customer).toMatchObject({ securityAddress: 'sec@acme.example', language: 'en', noticeHours: 72 });
    expect(customerNamed([acme.customer], 'someone@mail.acme.example', '')?.id).toBe('acme');
    expect(customerNamed([acme.customer], 'x@other.example', 'my account at acme.example')?.id).toBe('acme');
    expect(customerNamed([acme.customer], 'x@other.example', 'nothing')).toBeNull();
    expect(customersFromConfig({ 'shop.example': 'privacy@shop.example' })[0]).toMatchObject({
      id: 'shop-example',
      requestAddress: 'privacy@shop.example',
    });
  });
});

describe('the register CSV', () => {
  const entry: RegisterEntry = {
    number: 'BRE-2026-0001',
    role: 'controller',
    state: 'not_notifiable',
    reportedAt: at,
    detectedAt: null,
    awareAt: at,
    dueAt: new Date('2026-03-30T09:00:00Z'),
    closedAt: null,
    outcome: null,
    record: {
      facts: { description: '=HYPERLINK("http://evil.example")' },
      decision: {
        kind: 'not_a_breach',
        reasons: 'blocked logins; nothing compromised',
        by: 'U0DPO',
        at: at.toISOString(),
      },
    },
    customers: [],
    notifications: [
      {
        audience: 'authority',
        customer: null,
        phase: 'initial',
        at,
        reference: 'DPA-1',
        lateReasons: null,
        by: 'U0DPO',
      },
    ],
    subjectsNotified: { sent: 0, pending: 0, failed: 0 },
  };
  it('every column is documented in the README, in order', () => {
    const readme = readFileSync(join(ROOT_DIR, 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('**Register columns**'),
      readme.indexOf('**Fields of the breach events**'),
    );
    const named = [...section.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!).filter((x) => x in REGISTER_COLUMNS);
    expect(named).toEqual(Object.keys(REGISTER_COLUMNS));
  });
  it('documented columns in order, formula cells escaped, fields with separators quoted', () => {
    const [header, row] = registerCsv([entry]).split('\r\n');
    expect(header).toBe(Object.keys(REGISTER_COLUMNS).join(','));
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(row).toContain('not_a_breach,"blocked logins; nothing compromised",U0DPO');
    expect(row).toContain('initial@2026-03-27T09:00:00.000Z ref=DPA-1 by U0DPO');
    expect(['=1', '+1', '-1', '@x', '\tx', 'ok'].map(escapeFormula)).toEqual([
      "'=1",
      "'+1",
      "'-1",
      "'@x",
      "'\tx",
      'ok',
    ]);
  });
});
