import { describe, expect, it } from 'vitest';
import { IntakeKeywordsError, loadIntakeKeywords } from '../../../src/domain/intake/intake-keywords.ts';
import { keywordPattern, normalizeForMatch } from '../../../src/domain/intake/keyword-match.ts';
import { CONFIDENT, classifyContent, compileContentMatcher } from '../../../src/domain/intake/request-types.ts';
import { KEYWORDS } from './intake-fixtures.ts';

const MATCHER = compileContentMatcher(KEYWORDS);

describe('keyword matching', () => {
  const matches = (keyword: string, text: string) => keywordPattern(keyword).test(normalizeForMatch(text));

  it('ignores case, accents, curly apostrophes and hyphens', () => {
    expect(matches('Löschung', 'LOSCHUNG')).toBe(true);
    expect(matches("droit à l'effacement", 'Droit à l’effacement')).toBe(true);
    expect(matches('machine readable', 'machine-readable')).toBe(true);
    expect(matches('Datenübertragbarkeit', 'DATENUEBERTRAGBARKEIT')).toBe(false); // "ue" spelling is listed separately where needed
  });

  it('lets " ... " stand for up to six words', () => {
    expect(matches('erase ... data you hold about me', 'erase all the personal data you hold about me')).toBe(true);
    expect(matches('erase ... data you hold about me', 'erase one two three four five six seven data you hold about me')).toBe(false);
  });

  it('matches whole words unless a star says otherwise', () => {
    expect(matches('erase', 'erased')).toBe(false);
    expect(matches('Auskunft*', 'Auskunftsersuchen')).toBe(true);
    expect(matches('*löschung', 'Datenlöschung')).toBe(true);
    expect(matches('löschung', 'Datenlöschung')).toBe(false);
    expect(matches('Art. 15', 'Art. 150')).toBe(false);
  });
});

describe('classifyContent', () => {
  it.each([
    ['Please delete my account.', 'request', ['erasure']],
    ['I want to know what data you hold about me and please stop sending me newsletters', 'request', ['access', 'objection']],
    ['Question about the GDPR', 'request', []],
    ['Ich bitte um Auskunft und Löschung.', 'request', ['access', 'erasure']],
    ['Our laptop was stolen; a data breach of customer records.', 'breach', []],
    ['Unauthorised access to the CRM; incident under investigation', 'breach', []],
    // a data subject asking about a breach names a right at least as often as the incident
    ['After the data breach in the news: please send me a copy of my data.', 'request', ['access']],
    ['Invoice INV-1 is overdue', 'other', []],
  ] as const)('%s', (text, kind, types) => {
    expect(classifyContent(text, MATCHER)).toMatchObject({ kind, requestTypes: types });
  });

  it.each([
    ['what do you know about me?', ['access']],
    ['Please forget me', ['erasure']],
    ['stop sending me emails', ['objection']],
    ['I want a person to look at the automatic refusal of my loan', ['automated_decision']],
    ['Please erase all personal data you hold about me.', ['erasure']],
    ['Bitte löschen Sie alle über mich gespeicherten Daten.', ['erasure']],
    ['Merci de supprimer toutes les données que vous détenez sur moi.', ['erasure']],
    ['Por favor, eliminen todos los datos que tienen sobre mí.', ['erasure']],
    ['Please tell me what data you hold about me.', ['access']],
    ['Que savez-vous sur moi ?', ['access']],
    ['Was wissen Sie über mich?', ['access']],
    ['¿Qué saben de mí?', ['access']],
  ] as const)('plain words: %s → %s', (text, types) => {
    expect(classifyContent(text, MATCHER)).toMatchObject({ kind: 'request', requestTypes: types });
  });

  it('says which words decided and how confident it is', () => {
    const erasure = classifyContent('Please erase all personal data you hold about me.', MATCHER);
    expect(erasure.matched).toEqual(expect.arrayContaining(['erasure: erase', 'generic: personal data']));
    expect(erasure.matched.some((w) => w.startsWith('access:'))).toBe(false);
    expect(erasure.confidence).toBeGreaterThanOrEqual(CONFIDENT);
    expect(classifyContent('Question about the GDPR', MATCHER).confidence).toBeLessThan(CONFIDENT);
    expect(classifyContent('We had an incident with the delivery', MATCHER)).toMatchObject({ kind: 'breach', confidence: 0.5 });
    expect(classifyContent('Invoice INV-1 is overdue', MATCHER)).toEqual({ kind: 'other', requestTypes: [], confidence: 0, matched: [] });
  });

  it('ignores quoted lines of earlier messages', () => {
    expect(classifyContent('Thanks, see you Monday.\n> Please delete my account.', MATCHER).kind).toBe('other');
  });
});

describe('loadIntakeKeywords', () => {
  const minimal = (extra = '') => `
request_types:
${['access', 'rectification', 'erasure', 'restriction', 'portability', 'objection', 'automated_decision'].map((t) => `  ${t}: { en: [x], de: [], fr: [], es: [] }`).join('\n')}
generic_request: { en: [GDPR], de: [], fr: [], es: [] }
breach: { en: [breach], de: [], fr: [], es: [] }
${extra}`;

  it('loads a minimal file into camel-cased data', () => {
    const k = loadIntakeKeywords(minimal());
    expect(k.genericRequest.en).toEqual(['GDPR']);
    expect(k.requestTypes.automated_decision.en).toEqual(['x']);
  });

  it('names every problem', () => {
    const bad = minimal().replace('generic_request: { en: [GDPR], de: [], fr: [], es: [] }', 'generic_request: { en: ["a*b", ""], de: [] }');
    const error = (() => {
      try {
        loadIntakeKeywords(bad);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(IntakeKeywordsError);
    const message = (error as Error).message;
    expect(message).toMatch(/generic_request\.en\[0\]/);
    expect(message).toMatch(/generic_request\.en\[1\]/);
    expect(message).toMatch(/generic_request\.fr/);
  });

  it('rejects unknown keys and invalid YAML', () => {
    expect(() => loadIntakeKeywords(minimal('colour: blue'))).toThrow(IntakeKeywordsError);
    expect(() => loadIntakeKeywords('request_types: [')).toThrow(/not valid YAML/);
  });
});
