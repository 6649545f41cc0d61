import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../src/domain/vocabulary.ts';
import { createMailRenderer } from '../../../src/adapters/templates/mail-renderer.ts';
import { TEMPLATE_NAMES, templateCatalog, type TemplateName } from '../../../src/adapters/templates/template-catalog.ts';
import { TEMPLATE_DIR, htmlBodyAsText, renderAny, thrown } from './template-test-support.ts';

const renderer = createMailRenderer({ dir: TEMPLATE_DIR, languages: LANGUAGES });
const INJECTION = '\r\nBcc: x@example.test';

const cases = TEMPLATE_NAMES.flatMap((name) => LANGUAGES.map((lang) => [name, lang] as const));

describe('every template in every language', () => {
  it.each(cases)('%s (%s) renders from its sample context', (name, lang) => {
    const mail = renderAny(renderer, name, lang, templateCatalog[name].sample);
    const caseNumber = (templateCatalog[name].sample as { case?: { number: string } }).case?.number;

    expect(mail.subject).not.toBe('');
    if (caseNumber) expect(mail.subject).toContain(`[${caseNumber}]`); // the digest is about no single case
    expect(mail.subject).not.toMatch(/[\r\n]/);
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toContain('{{');
      expect(part).not.toContain('}}');
    }
    expect(mail.text.length).toBeGreaterThan(100);
    expect(mail.html).toMatch(new RegExp(`^<!DOCTYPE html>\\n<html lang="${lang}">`));
    expect(htmlBodyAsText(mail.html)).toBe(mail.text);
  });

  it.each(cases)('%s (%s) keeps the subject on one line when a name injects a header', (name, lang) => {
    const sample = templateCatalog[name].sample as { org: { name: string } };
    const mail = renderAny(renderer, name, lang, { ...sample, org: { ...sample.org, name: `Evil Corp${INJECTION}` } });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toBe(mail.subject.trim());
  });
});

/** Contexts that take the other branch of each optional part (the samples fill everything in). */
const variants: readonly (readonly [TemplateName, unknown, string])[] = [
  ['acknowledgement', { ...templateCatalog.acknowledgement.sample, request: { types: [] }, requester: undefined }, 'Dear Sir or Madam,'],
  [
    'answer-access',
    {
      ...templateCatalog['answer-access'].sample,
      access: { ...templateCatalog['answer-access'].sample.access, recipients: [], transferSafeguards: undefined },
    },
    'We have not disclosed your personal data to any recipients.',
  ],
  [
    'answer-erasure',
    { ...templateCatalog['answer-erasure'].sample, erasure: { completedDate: '2026-03-20', scope: 'Everything.' } },
    'Notification of recipients (Article 19 GDPR):',
  ],
  [
    'answer-objection',
    {
      ...templateCatalog['answer-objection'].sample,
      objection: { processing: 'Fraud scoring', effectiveDate: '2026-03-06', directMarketing: false },
    },
    'Since 6 March 2026 we no longer process your personal data for this purpose.',
  ],
  [
    'answer-portability',
    { ...templateCatalog['answer-portability'].sample, portability: { files: [{ filename: 'x.csv', format: 'CSV' }], scope: 'All.' } },
    '- x.csv (CSV)',
  ],
  [
    'processor-forward',
    { ...templateCatalog['processor-forward'].sample, controller: { name: 'Harbour Books Ltd' } },
    'Dear Sir or Madam,',
  ],
  [
    'incident-notice',
    {
      ...templateCatalog['incident-notice'].sample,
      incident: { ...templateCatalog['incident-notice'].sample.incident, supplement: undefined, delayReason: 'Forensics took four days.' },
    },
    'Reasons for the timing of this notification: Forensics took four days.',
  ],
  [
    'breach-subject-notice',
    { ...templateCatalog['breach-subject-notice'].sample, breach: { ...templateCatalog['breach-subject-notice'].sample.breach, recommendations: [] } },
    'What we have done:',
  ],
  [
    'dpo-alert',
    { ...templateCatalog['dpo-alert'].sample, alert: { deliveryFailed: false, reason: 'Deadline in 2 days, no owner.' } },
    'dpo-desk has raised an alert for case DSR-2026-0042.',
  ],
];

describe('optional parts', () => {
  it.each(variants.flatMap(([name, context, english]) => LANGUAGES.map((lang) => [name, lang, context, english] as const)))(
    '%s (%s) renders the other branch',
    (name, lang, context, english) => {
      const mail = renderAny(renderer, name, lang, context);
      expect(mail.text).not.toContain('{{');
      expect(htmlBodyAsText(mail.html)).toBe(mail.text);
      expect(mail.text).not.toMatch(/\n{3,}/);
      if (lang === 'en') expect(mail.text).toContain(english);
    },
  );

  it('states an initial incident notice as such in the subject', () => {
    const sample = templateCatalog['incident-notice'].sample;
    const initial = { ...sample, incident: { ...sample.incident, supplement: undefined } };
    expect(renderer.render('incident-notice', 'de', initial).subject).toMatch(/– Erstmeldung$/);
    expect(renderer.render('incident-notice', 'de', sample).subject).toMatch(/– Nachtrag 1$/);
  });

  it('omits the request-type line when no type is known yet', () => {
    const sample = { ...templateCatalog.acknowledgement.sample, request: { types: [] } };
    expect(renderer.render('acknowledgement', 'es', sample).text).not.toContain('Tipo de solicitud');
    expect(renderer.render('acknowledgement', 'es', templateCatalog.acknowledgement.sample).text).toContain(
      'Tipo de solicitud: acceso y supresión.',
    );
  });
});

describe('subject', () => {
  it('strips CR/LF from names used in the subject and keeps the text on one line', () => {
    const sample = templateCatalog.acknowledgement.sample;
    const mail = renderer.render('acknowledgement', 'en', { ...sample, org: { ...sample.org, name: `Lumen${INJECTION}` } });
    expect(mail.subject).toBe('[DSR-2026-0042] Lumen Bcc: x@example.test: we have received your data protection request');
  });

  it('strips CR/LF from the controller name in a processor forward', () => {
    const sample = templateCatalog['processor-forward'].sample;
    const controller = { name: `Harbour Books Ltd${INJECTION}\n\nTo: y@example.test` };
    const mail = renderer.render('processor-forward', 'de', { ...sample, controller });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain('Harbour Books Ltd Bcc: x@example.test To: y@example.test');
  });
});

describe('escaping', () => {
  const script = '<script>alert("x")</script>';

  it('escapes user text in HTML and keeps it literal in the text part', () => {
    const sample = templateCatalog.acknowledgement.sample;
    const mail = renderer.render('acknowledgement', 'fr', { ...sample, requester: { name: script } });
    expect(mail.text).toContain(`Bonjour ${script},`);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('escapes user text inside loops and in the HTML title', () => {
    const sample = templateCatalog.refusal.sample;
    const mail = renderer.render('refusal', 'en', { ...sample, org: { ...sample.org, name: 'A & <B>' }, reasons: [script] });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<B>');
    expect(mail.html).toContain('<title>[DSR-2026-0042] A &amp; &lt;B&gt;: decision');
    expect(mail.text).toContain(`- ${script}`);
  });

  it('builds paragraphs from blank lines and line breaks from single newlines', () => {
    const mail = renderer.render('extension-notice', 'en', templateCatalog['extension-notice'].sample);
    expect(mail.html).toContain('<p>Dear Jana Nováková,</p>');
    expect(mail.html).toMatch(/for the following reasons:<br>\n- Your request covers/);
  });
});

describe('greeting', () => {
  it.each([
    ['en', 'Dear Sir or Madam,'],
    ['de', 'Sehr geehrte Damen und Herren,'],
    ['fr', 'Madame, Monsieur,'],
    ['es', 'Estimado/a señor/a:'],
  ] as const)('falls back to a neutral greeting without a name (%s)', (lang, greeting) => {
    const { requester: _omitted, ...sample } = templateCatalog['identity-request'].sample;
    expect(renderer.render('identity-request', lang, sample).text.split('\n')[0]).toBe(greeting);
  });
});

describe('context validation', () => {
  it('names the template, the language and the missing field', () => {
    const { authority: _omitted, ...sample } = templateCatalog.refusal.sample;
    const error = thrown(() => renderAny(renderer, 'refusal', 'de', { ...sample, authority: { url: 'https://dpa.example.test' } }));
    expect(error.code).toBe('TEMPLATE_CONTEXT_INVALID');
    expect(error.message).toContain('Template "refusal" (de)');
    expect(error.message).toContain('authority.name');
    expect(error.fields).toEqual(['authority.name']);
  });

  it('lists every bad field', () => {
    const sample = templateCatalog.acknowledgement.sample;
    const error = thrown(() =>
      renderAny(renderer, 'acknowledgement', 'en', { ...sample, case: { number: 'DSR-1' }, org: { name: 'X', dpoEmail: 'nope' } }),
    );
    expect(error.fields).toEqual(['org.dpoEmail', 'case.receivedDate', 'case.dueDate']);
  });

  it('keeps data-subject details out of a DPO alert even if the caller passes them', () => {
    const sample = templateCatalog['dpo-alert'].sample;
    const mail = renderAny(renderer, 'dpo-alert', 'en', { ...sample, requester: { name: 'Jana Nováková' } });
    expect(mail.text).not.toContain('Nováková');
  });

  it('refuses a template or language that was not loaded', () => {
    const english = createMailRenderer({ dir: TEMPLATE_DIR, languages: ['en'] });
    expect(english.has('refusal', 'en')).toBe(true);
    expect(english.has('refusal', 'de')).toBe(false);
    expect(english.has('no-such-template', 'en')).toBe(false);
    expect(thrown(() => english.render('refusal', 'de', templateCatalog.refusal.sample)).code).toBe('TEMPLATE_NOT_LOADED');
    expect(thrown(() => renderAny(english, 'nope' as TemplateName, 'en', {})).code).toBe('TEMPLATE_NOT_LOADED');
  });
});
