/**
 * What a message is about: a data subject request (and which rights it names, GDPR Arts. 15–22), a breach or
 * incident report (Arts. 33, 34), or something else. Keyword data comes from `intake-keywords.yaml`; every
 * language's words are looked for in every message, since people mix languages.
 */
import { REQUEST_TYPES, LANGUAGES, type RequestType } from '../vocabulary.ts';
import type { IntakeKeywords, KeywordsByLanguage } from './intake-keywords.ts';
import { compileKeywords, normalizeForMatch, type KeywordSet } from './keyword-match.ts';
import type { ContentKind } from './understanding.ts';

export interface ContentClassification {
  kind: ContentKind;
  /** In `REQUEST_TYPES` order; empty unless `kind` is `request`. */
  requestTypes: RequestType[];
}

function allLanguages(words: KeywordsByLanguage): string[] {
  return LANGUAGES.flatMap((lang) => words[lang]);
}

/** Keyword sets compiled from the data, ready to count. */
export interface ContentMatcher {
  types: [RequestType, KeywordSet][];
  generic: KeywordSet;
  breach: KeywordSet;
}

/** Compiles the keyword data once per policy. */
export function compileContentMatcher(keywords: IntakeKeywords): ContentMatcher {
  return {
    types: REQUEST_TYPES.map((t) => [t, compileKeywords(allLanguages(keywords.requestTypes[t]))]),
    generic: compileKeywords(allLanguages(keywords.genericRequest)),
    breach: compileKeywords(allLanguages(keywords.breach)),
  };
}

/** Lines quoted with `>` are someone else's earlier words (a reply's history), not this message's content. */
export function withoutQuotedLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*>/.test(line))
    .join('\n');
}

/**
 * Classifies subject and body text.
 * - `breach` when breach/incident words outnumber the words naming request types: a breach report mentions
 *   "personal data" and perhaps "access" ("unauthorised access"), but a data subject asking what was leaked about
 *   them names a right at least as often as the incident.
 * - `request` when a request type or a generic data-protection word ("personal data", "DSGVO", "RGPD") appears.
 * - `other` otherwise.
 */
export function classifyContent(text: string, matcher: ContentMatcher): ContentClassification {
  const normalized = normalizeForMatch(withoutQuotedLines(text));
  const typeCounts = matcher.types.map(([type, set]) => [type, set.count(normalized)] as const);
  const typeHits = typeCounts.reduce((sum, [, n]) => sum + n, 0);
  const breachHits = matcher.breach.count(normalized);
  if (breachHits > typeHits) return { kind: 'breach', requestTypes: [] };
  if (typeHits > 0 || matcher.generic.count(normalized) > 0) {
    return { kind: 'request', requestTypes: typeCounts.filter(([, n]) => n > 0).map(([type]) => type) };
  }
  return { kind: 'other', requestTypes: [] };
}
