import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../src/domain/vocabulary.ts';
import { createMailRenderer } from '../../../src/adapters/templates/mail-renderer.ts';
import { templateCatalog } from '../../../src/adapters/templates/template-catalog.ts';
import { TEMPLATE_DIR, thrown } from './template-test-support.ts';

describe('loading templates', () => {
  let workDir: string | undefined;
  afterEach(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    workDir = undefined;
  });

  /** A private copy of the template directory a test may break. */
  function copyOfTemplates(): string {
    workDir = mkdtempSync(join(tmpdir(), 'dpo-desk-templates-'));
    cpSync(TEMPLATE_DIR, workDir, { recursive: true });
    return workDir;
  }

  it('fails at creation naming a missing template file', () => {
    const dir = copyOfTemplates();
    unlinkSync(join(dir, 'es', 'answer-portability.hbs'));
    const error = thrown(() => createMailRenderer({ dir, languages: LANGUAGES }));
    expect(error.code).toBe('TEMPLATE_FILE_MISSING');
    expect(error.message).toContain(join(dir, 'es', 'answer-portability.hbs'));
    expect(error.file).toBe(join(dir, 'es', 'answer-portability.hbs'));
  });

  it('fails at creation naming a missing layout', () => {
    const dir = copyOfTemplates();
    unlinkSync(join(dir, 'layout.html.hbs'));
    expect(() => createMailRenderer({ dir })).toThrow(/layout\.html\.hbs/);
  });

  it.each([
    ['a Handlebars syntax error', 'subject: [{{case.number}}] x\n---\nHello {{#if requester.name}}\n', /Parse error|Expecting/],
    ['a missing subject line', 'Hello\n---\nBody\n', /first line must be "subject:/],
    ['a missing separator', 'subject: [{{case.number}}] x\nBody\n', /second line must be "---"/],
    ['an unknown helper', 'subject: [{{case.number}}] x\n---\n{{money case.number}}\n', /unknown helper money/],
  ])('fails at creation naming a file with %s', (_label, source, reason) => {
    const dir = copyOfTemplates();
    const file = join(dir, 'de', 'refusal.hbs');
    writeFileSync(file, source);
    const error = thrown(() => createMailRenderer({ dir }));
    expect(error.code).toBe('TEMPLATE_FILE_INVALID');
    expect(error.file).toBe(file);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(reason);
  });

  it('fails when a template uses a variable the context does not have (strict mode), naming it', () => {
    const dir = copyOfTemplates();
    writeFileSync(join(dir, 'en', 'acknowledgement.hbs'), 'subject: [{{case.number}}] x\n---\nDue: {{case.answeredDate}}\n');
    const strict = createMailRenderer({ dir, languages: ['en'] });
    const error = thrown(() => strict.render('acknowledgement', 'en', templateCatalog.acknowledgement.sample));
    expect(error.code).toBe('TEMPLATE_RENDER_FAILED');
    expect(error.message).toContain('"answeredDate" not defined');
    expect(error.message).toContain('Template "acknowledgement" (en)');
  });

  it('escapes the template text itself in the HTML part', () => {
    const dir = copyOfTemplates();
    writeFileSync(join(dir, 'en', 'dpo-alert.hbs'), 'subject: [{{case.number}}] A & B\n---\nTerms & <b>conditions</b>\n');
    const mail = createMailRenderer({ dir, languages: ['en'] }).render('dpo-alert', 'en', templateCatalog['dpo-alert'].sample);
    expect(mail.text).toBe('Terms & <b>conditions</b>');
    expect(mail.html).toContain('<p>Terms &amp; &lt;b&gt;conditions&lt;/b&gt;</p>');
    expect(mail.subject).toBe('[DSR-2026-0042] A & B');
  });

  it('accepts CRLF line endings and a byte-order mark', () => {
    const dir = copyOfTemplates();
    writeFileSync(join(dir, 'en', 'dpo-alert.hbs'), '\uFEFFsubject: [{{case.number}}] Alert\r\n---\r\nLine one\r\nLine two\r\n');
    const mail = createMailRenderer({ dir, languages: ['en'] }).render('dpo-alert', 'en', templateCatalog['dpo-alert'].sample);
    expect(mail.subject).toBe('[DSR-2026-0042] Alert');
    expect(mail.text).toBe('Line one\nLine two');
  });
});
