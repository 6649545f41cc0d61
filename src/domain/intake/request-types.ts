/**
 * What a message is about: a data subject request (and which rights it names, GDPR Arts. 15–22), a breach or
 * incident report (Arts. 33, 34), or something else — with the words that decided it and how confident the
 * reading is. Keyword data comes from `intake-keywords.yaml`; every language's words are looked for in every
 * message, since people mix languages.
 */
import { REQUEST_TYPES, LANGUAGES, type RequestType } from '../vocabulary.ts';
import type { IntakeKeywords, KeywordsByLanguage } from './intake-keywords.ts';
import { compileKeywords, countHits, normalizeForMatch, type KeywordHit, type KeywordSet } from './keyword-match.ts';
import type { ContentKind } from './understanding.ts';

export interface ContentClassification {
  kind: ContentKind;
  /** In `REQUEST_TYPES` order; empty unless `kind` is `request`. */
  requestTypes: RequestType[];
  /**
   * 0–1: how sure the reading is. A named right or two breach words are confident; data-protection words alone
   * ("GDPR", "personal data"), a single breach word or nothing at all are not: such mail goes to triage.
   */
  confidence: number;
  /** The words that decided it, as `group: keyword` ("erasure: please forget me", "breach: stolen"). */
  matched: string[];
}

/** At or above this confidence a message opens a typed case by itself; below, a person types it (triage). */
export const CONFIDENT = 0.6;

export function allLanguages(words: KeywordsByLanguage): string[] {
  return LANGUAGES.flatMap((lang) => words[lang]);
}

/** Keyword sets compiled from the data, ready to count. */
export interface ContentMatcher {
  types: [RequestType, KeywordSet, KeywordSet][];
  generic: KeywordSet;
  breach: KeywordSet;
}

/** Compiles the keyword data once per policy. */
export function compileContentMatcher(keywords: IntakeKeywords): ContentMatcher {
  return {
    types: REQUEST_TYPES.map((t) => [
      t,
      compileKeywords(allLanguages(keywords.requestTypes[t])),
      compileKeywords(allLanguages(keywords.negativePatterns[t])),
    ]),
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

/** Hits of a type that do not lie inside one of its negative patterns. */
function positive(hits: KeywordHit[], negative: KeywordHit[]): KeywordHit[] {
  return hits.filter((h) => !negative.some((n) => n.from <= h.from && h.to <= n.to));
}

function words(group: string, hits: KeywordHit[]): string[] {
  return [...new Set(hits.map((h) => `${group}: ${h.keyword}`))];
}

const round = (n: number) => Math.round(Math.min(1, n) * 100) / 100;

/**
 * Classifies subject and body text.
 * - `breach` when breach/incident words outnumber the words naming request types: a breach report mentions
 *   "personal data" and perhaps "access" ("unauthorised access"), but a data subject asking what was leaked about
 *   them names a right at least as often as the incident. One breach word alone is not confident, nor are breach
 *   words beside a named right (a person asking what of theirs was leaked): a person decides.
 * - `request` when a request type or a generic data-protection word ("personal data", "DSGVO", "RGPD") appears;
 *   confident only when a right is named.
 * - `other` otherwise (confidence 0).
 */
export function classifyContent(text: string, matcher: ContentMatcher): ContentClassification {
  const normalized = normalizeForMatch(withoutQuotedLines(text));
  const typeHits = matcher.types.map(([type, set, negative]) =>
    [type, positive(set.hits(normalized), negative.hits(normalized))] as const);
  const typeCount = typeHits.reduce((sum, [, hits]) => sum + countHits(hits), 0);
  const typeWords = typeHits.flatMap(([type, hits]) => words(type, hits));
  const breachHits = matcher.breach.hits(normalized);
  const breachCount = countHits(breachHits);
  const genericHits = matcher.generic.hits(normalized);
  const genericCount = countHits(genericHits);
  if (breachCount > typeCount) {
    // One breach word said twice is still one word; a named right beside the breach words lowers the confidence.
    const distinct = new Set(breachHits.map((hit) => hit.keyword)).size;
    return {
      kind: 'breach', requestTypes: [], confidence: round((1 - 0.5 ** distinct) * (1 - typeCount / breachCount)),
      matched: [...words('breach', breachHits), ...typeWords],
    };
  }
  const matched = [...typeWords, ...words('generic', genericHits), ...words('breach', breachHits)];
  if (typeCount > 0) {
    return {
      kind: 'request', requestTypes: typeHits.filter(([, hits]) => hits.length > 0).map(([type]) => type),
      confidence: round(0.7 + 0.1 * typeCount + (genericCount > 0 ? 0.1 : 0)), matched,
    };
  }
  if (genericCount > 0) {
    return { kind: 'request', requestTypes: [], confidence: round(0.3 + 0.1 * Math.min(genericCount, 2)), matched };
  }
  return { kind: 'other', requestTypes: [], confidence: 0, matched };
}
