/**
 * Which language a message is written in, by counting frequent function words ("stop words") per language. Good
 * enough to pick the language of our acknowledgement; a person can correct it on the case.
 */
import { LANGUAGES, type Language } from '../vocabulary.ts';
import type { KeywordsByLanguage } from './intake-keywords.ts';
import { normalizeForMatch } from './keyword-match.ts';

/** Word sets per language, normalised like the text. */
export type StopWordSets = Record<Language, Set<string>>;

/** Builds the sets once per policy. */
export function compileStopWords(stopWords: KeywordsByLanguage): StopWordSets {
  const sets = {} as StopWordSets;
  for (const lang of LANGUAGES) sets[lang] = new Set(stopWords[lang].map((w) => normalizeForMatch(w).trim()));
  return sets;
}

/**
 * Below this share of all words, the best language's stop words are chance hits (Spanish "con", "del" in an
 * Italian text) rather than evidence: real text in one of our languages scores far above it.
 */
const MIN_STOP_WORD_SHARE = 0.1;

/**
 * The language whose stop words occur most often. A tie that includes `defaultLanguage`, too few stop words (see
 * {@link MIN_STOP_WORD_SHARE}) or none at all gives `defaultLanguage`; any other tie goes to the first language in
 * `LANGUAGES` order.
 */
export function detectLanguage(text: string, stopWords: StopWordSets, defaultLanguage: Language): Language {
  const words = normalizeForMatch(text).match(/\p{L}+/gu) ?? [];
  const scores = LANGUAGES.map((lang) => [lang, words.filter((w) => stopWords[lang].has(w)).length] as const);
  const best = Math.max(...scores.map(([, n]) => n));
  if (best === 0 || best < words.length * MIN_STOP_WORD_SHARE) return defaultLanguage;
  const leaders = scores.filter(([, n]) => n === best).map(([lang]) => lang);
  return leaders.includes(defaultLanguage) ? defaultLanguage : (leaders[0] ?? defaultLanguage);
}
