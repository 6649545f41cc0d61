/**
 * Matching keywords in free text the same way in every language: case-insensitive, accents ignored ("Löschung"
 * finds "loschung" and "Loeschung" is listed separately where people type it), curly apostrophes and hyphens
 * normalised, whole words unless the keyword says otherwise with `*`.
 */

/** Lower-case, without diacritics, ß → ss, ’ → ', hyphens and whitespace runs → one space. */
export function normalizeForMatch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[’‘`´]/g, "'")
    .replace(/[-‐‑–]/g, ' ')
    .replace(/\s+/g, ' ');
}

const WORD_CHAR = '[\\p{L}\\p{N}]';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A global regular expression for one keyword (see intake-keywords.ts for the `*` syntax). */
export function keywordPattern(keyword: string): RegExp {
  const trimmed = keyword.trim();
  const prefix = trimmed.startsWith('*');
  const suffix = trimmed.endsWith('*') && trimmed.length > 1;
  const core = normalizeForMatch(trimmed.replace(/^\*|\*$/g, '')).trim();
  const body = escapeRegExp(core).replace(/ /g, '\\s+');
  const source = `(?<!${WORD_CHAR})${prefix ? `${WORD_CHAR}*` : ''}${body}${suffix ? `${WORD_CHAR}*` : ''}(?!${WORD_CHAR})`;
  return new RegExp(source, 'gu');
}

/** A compiled keyword list: count how often any of its keywords occurs in normalised text. */
export interface KeywordSet {
  /**
   * Occurrences in the text; overlapping matches of several keywords count once ("personal data breach" is one
   * mention, not also a "data breach" and a "breach").
   */
  count(normalizedText: string): number;
}

function countSpans(spans: [number, number][]): number {
  spans.sort((a, b) => a[0] - b[0]);
  let count = 0;
  let end = -1;
  for (const [from, to] of spans) {
    if (from >= end) count += 1;
    end = Math.max(end, to);
  }
  return count;
}

/** Compiles keywords once; duplicates (after normalisation) count once. */
export function compileKeywords(keywords: Iterable<string>): KeywordSet {
  const bySource = new Map<string, { pattern: RegExp; literal: string }>();
  for (const k of keywords) {
    if (k.trim() === '') continue;
    const pattern = keywordPattern(k);
    // Every match contains the keyword's normalised core literally (normalised text has single spaces): a plain
    // substring test skips the regular expression for the many keywords a text does not contain.
    bySource.set(pattern.source, { pattern, literal: normalizeForMatch(k.trim().replace(/^\*|\*$/g, '')).trim() });
  }
  const patterns = [...bySource.values()];
  return {
    count(normalizedText: string): number {
      const spans = patterns.filter((p) => normalizedText.includes(p.literal))
        .flatMap(({ pattern }) => [...normalizedText.matchAll(pattern)]
          .map((m): [number, number] => [m.index, m.index + m[0].length]));
      return countSpans(spans);
    },
  };
}
