/** The Art. 33(3) notification document: every language renders from the recorded facts, as Markdown and text. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDocumentRenderer } from '../../../src/adapters/templates/document-renderer.ts';
import { authorityDraft } from '../../../src/domain/breach/drafts.ts';
import { LANGUAGES } from '../../../src/domain/vocabulary.ts';
import { ROOT_DIR } from '../../../src/main.ts';

const renderer = createDocumentRenderer(join(ROOT_DIR, 'templates', 'documents'));
const c = {
  number: 'BRE-2026-0007',
  detectedAt: new Date('2026-03-27T07:00:00Z'),
  awareAt: new Date('2026-03-27T09:00:00Z'),
  zone: 'Europe/Berlin',
};
const record = {
  facts: {
    description: 'A backup bucket was readable without login.',
    nature: 'confidentiality',
    subjectsApprox: 'about 1,200',
    measures: ['bucket closed'],
  },
};

describe('authority notification document', () => {
  it.each(LANGUAGES)('%s: Markdown and text with the DPO contact, late reasons and the facts to follow', (lang) => {
    const ctx = authorityDraft({
      org: { name: 'Example Org', dpoEmail: 'dpo@example.com' },
      c,
      record,
      lang,
      phase: 'initial',
      at: new Date('2026-03-31T08:00:00Z'),
      lateReasons: 'Forensic analysis by an external firm',
      reference: 'LDA-4711',
    });
    const d = renderer.render('authority-notification', lang, ctx);
    expect(d.markdown).toMatch(/^# .*BRE-2026-0007/);
    for (const s of [
      'dpo@example.com',
      'about 1,200',
      'bucket closed',
      'Forensic analysis by an external firm',
      'LDA-4711',
      '2026-03-27 10:00',
    ]) {
      expect(d.markdown).toContain(s);
      expect(d.text).toContain(s);
    }
    expect(d.text).not.toContain('**');
    expect(d.text).not.toMatch(/^#/m);
  });
  it('a context without the contact is refused before rendering', () => {
    const ctx = authorityDraft({
      org: { name: 'Example Org', dpoEmail: 'dpo@example.com' },
      c,
      record,
      lang: 'en',
      phase: 'initial',
      at: c.awareAt,
    });
    expect(() =>
      renderer.render('authority-notification', 'en', { ...ctx, contact: { name: 'x', email: 'nope' } }),
    ).toThrow(/contact.email/);
  });
});
