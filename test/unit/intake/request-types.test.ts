import { describe, expect, it } from 'vitest';
import { IntakeKeywordsError, loadIntakeKeywords } from '../../../src/domain/intake/intake-keywords.ts';
import { keywordPattern, normalizeForMatch } from '../../../src/domain/intake/keyword-match.ts';
import { classifyContent, compileContentMatcher } from '../../../src/domain/intake/request-types.ts';
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
    expect(classifyContent(text, MATCHER)).toEqual({ kind, requestTypes: types });
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
stop_words: { en: [the], de: [der], fr: [le], es: [el] }
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
