import { loadWorkflows } from '../../../src/adapters/workflows/load-workflows.ts';
import { templatesOf } from '../../../src/domain/workflow/definition.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../src/domain/vocabulary.ts';
import { TEMPLATE_NAMES, isTemplateName, templateCatalog } from '../../../src/adapters/templates/template-catalog.ts';

const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/mail', import.meta.url));

describe('template catalog', () => {
  it('has exactly one entry per template name', () => {
    expect(Object.keys(templateCatalog).sort()).toEqual([...TEMPLATE_NAMES].sort());
  });

  it('ships a template file for every name (the catalog\'s and the definitions\') in every language, and nothing else', () => {
    const root = join(TEMPLATE_DIR, '..', '..');
    const defined = loadWorkflows(join(root, 'workflows'), join(root, 'templates')).list()
      .flatMap((wf) => wf.transitions.flatMap((t) => templatesOf(t)));
    const names = [...new Set([...TEMPLATE_NAMES, ...defined])];
    const expected = LANGUAGES.flatMap((lang) => names.map((name) => `${lang}/${name}.hbs`)).sort();
    const languageDirs = readdirSync(TEMPLATE_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    const actual = languageDirs.flatMap((dir) => readdirSync(join(TEMPLATE_DIR, dir.name)).map((file) => `${dir.name}/${file}`));
    expect(languageDirs.map((dir) => dir.name).sort()).toEqual([...LANGUAGES].sort());
    expect(actual.sort()).toEqual(expected);
  });

  it('never uses triple-stash output in a template (it would bypass HTML escaping)', () => {
    for (const lang of LANGUAGES) {
      for (const name of readdirSync(join(TEMPLATE_DIR, lang)).map((f) => f.replace(/\.hbs$/, ''))) {
        expect(readFileSync(join(TEMPLATE_DIR, lang, `${name}.hbs`), 'utf8'), `${lang}/${name}`).not.toContain('{{{');
      }
    }
  });

  it.each(TEMPLATE_NAMES)('sample context of %s satisfies its schema', (name) => {
    const { schema, sample } = templateCatalog[name];
    expect(schema.safeParse(sample).error?.issues ?? []).toEqual([]);
  });

  it('narrows strings to template names', () => {
    expect(isTemplateName('refusal')).toBe(true);
    expect(isTemplateName('acknowledgment')).toBe(false);
  });

  it('requires the Art. 19 notice: recipients informed, or the reason why none were', () => {
    const { schema, sample } = templateCatalog['answer-erasure'];
    const result = schema.safeParse({ ...sample, recipientNotice: { informed: [] } });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['recipientNotice.notInformedReason']);
  });

  it('rejects a DPO alert whose reason carries an e-mail address (no data-subject identity)', () => {
    const { schema, sample } = templateCatalog['dpo-alert'];
    const result = schema.safeParse({ ...sample, alert: { deliveryFailed: true, reason: '550 unknown user jana@example.test' } });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['alert.reason']);
  });

  it('requires the extended due date in an extension notice', () => {
    const { schema, sample } = templateCatalog['extension-notice'];
    const result = schema.safeParse({ ...sample, case: { ...sample.case, extendedDue: undefined } });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['case.extendedDue']);
  });
});
