import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileKeywords, keywordNeedles, keywordPattern, normalizeForMatch,
} from '../../../src/domain/intake/keyword-match.ts';
import { allLanguages } from '../../../src/domain/intake/request-types.ts';
import { KEYWORDS } from './intake-fixtures.ts';

/** What the set must find: every keyword's expression run over the whole text, with no shortcut. */
function everyExpression(keywords: string[]): (text: string) => { keyword: string; from: number; to: number }[] {
  const bySource = new Map<string, { keyword: string; pattern: RegExp }>();
  for (const k of keywords.filter((w) => w.trim() !== '')) {
    const pattern = keywordPattern(k);
    if (!bySource.has(pattern.source)) bySource.set(pattern.source, { keyword: k.trim(), pattern });
  }
  return (text) => [...bySource.values()].flatMap(({ keyword, pattern }) =>
    [...text.matchAll(pattern)].map((m) => ({ keyword, from: m.index, to: m.index + m[0].length })));
}

describe('compiled keyword sets', () => {
  const keywords = [...new Set([
    ...Object.values(KEYWORDS.requestTypes).flatMap((byLang) => allLanguages(byLang)),
    ...allLanguages(KEYWORDS.breach), ...allLanguages(KEYWORDS.genericRequest),
  ])];

  it('a keyword needs each of its words in the text, wildcards and gaps aside', () => {
    expect(keywordNeedles('*löschung')).toEqual(['loschung']);
    expect(keywordNeedles('erase ... data you hold')).toEqual(['erase', 'data', 'you', 'hold']);
    expect(keywordNeedles('Right-to-be forgotten*')).toEqual(['right', 'to', 'be', 'forgotten']);
  });

  it('finds exactly what running every expression finds (the corpus words, shuffled into text)', () => {
    const set = compileKeywords(keywords);
    const oracle = everyExpression(keywords);
    const word = fc.oneof(fc.constantFrom(...keywords.flatMap((k) => k.split(/\s+/))), fc.string({ maxLength: 6 }));
    fc.assert(fc.property(fc.array(word, { maxLength: 40 }), fc.constantFrom(' ', '\n', ', ', '-'), (words, sep) => {
      const text = normalizeForMatch(words.join(sep));
      expect(set.hits(text)).toEqual(oracle(text));
    }), { numRuns: 300 });
  });

  it('the same set gives the same answer the second time (expressions built once, reused)', () => {
    const set = compileKeywords(keywords);
    const text = normalizeForMatch('Please delete my data. Bitte löschen Sie meine Daten. '
      + 'Je veux accéder à mes données.');
    const first = set.hits(text);
    expect(first.length).toBeGreaterThan(0);
    expect(set.hits(text)).toEqual(first);
    expect(set.hits(normalizeForMatch('nothing to see here'))).toEqual([]);
  });
});
