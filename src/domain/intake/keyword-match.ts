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

/** How many words ` ... ` in a keyword may stand for ("erase ... data you hold about me"). */
const MAX_GAP_WORDS = 6;

/**
 * A global regular expression for one keyword (see intake-keywords.ts for the `*` syntax). ` ... ` between words
 * matches up to six words in between.
 */
export function keywordPattern(keyword: string): RegExp {
  return new RegExp(keywordSource(keyword), FLAGS);
}

const FLAGS = 'gu';

/** A keyword without its `*` wildcards, normalised as the text is. */
function keywordCore(keyword: string): string {
  return normalizeForMatch(keyword.trim().replace(/^\*|\*$/g, '')).trim();
}

/** The source of {@link keywordPattern}. */
function keywordSource(keyword: string): string {
  const trimmed = keyword.trim();
  const prefix = trimmed.startsWith('*');
  const suffix = trimmed.endsWith('*') && trimmed.length > 1;
  const body = keywordCore(trimmed)
    .split(/\s*\.\.\.\s*/)
    .map((part) => escapeRegExp(part).replace(/ /g, '\\s+'))
    .join(`(?:\\s+\\S+){0,${MAX_GAP_WORDS}}\\s+`);
  return `(?<!${WORD_CHAR})${prefix ? `${WORD_CHAR}*` : ''}${body}${suffix ? `${WORD_CHAR}*` : ''}(?!${WORD_CHAR})`;
}

/** One occurrence of a keyword in normalised text. */
export interface KeywordHit {
  keyword: string;
  from: number;
  to: number;
}

/** A compiled keyword list. */
export interface KeywordSet {
  /**
   * Occurrences in the text; overlapping matches of several keywords count once ("personal data breach" is one
   * mention, not also a "data breach" and a "breach").
   */
  count(normalizedText: string): number;
  /** Every occurrence with the keyword (as written in the data) that matched it. */
  hits(normalizedText: string): KeywordHit[];
}

/** Counts non-overlapping runs of hits. */
export function countHits(hits: readonly KeywordHit[]): number {
  const spans = hits.map((h) => [h.from, h.to] as const).sort((a, b) => a[0] - b[0]);
  let count = 0;
  let end = -1;
  for (const [from, to] of spans) {
    if (from >= end) count += 1;
    end = Math.max(end, to);
  }
  return count;
}

/**
 * The literal words a keyword's pattern can only match where each of them occurs in the text (as a substring).
 * Checking them first spares running — and, on first use, compiling — the hundreds of Unicode expressions whose
 * words a message does not contain: compiling all of them on the first message stalled the process for ~0.8 s.
 */
export function keywordNeedles(keyword: string): string[] {
  return keywordCore(keyword).split(/\s*\.\.\.\s*|\s+/).filter((w) => w !== '');
}

/**
 * Compiles keywords once; duplicates (after normalisation) count once. An expression is built the first time a
 * text holds all of its keyword's words: most keywords never occur, and building ~700 Unicode expressions up front
 * took ~0.2 s.
 */
export function compileKeywords(keywords: Iterable<string>): KeywordSet {
  const bySource = new Map<string, { source: string; keyword: string; needles: string[]; pattern?: RegExp }>();
  for (const k of keywords) {
    if (k.trim() === '') continue;
    const source = keywordSource(k);
    if (!bySource.has(source)) bySource.set(source, { source, keyword: k.trim(), needles: keywordNeedles(k) });
  }
  const entries = [...bySource.values()];
  const hits = (text: string): KeywordHit[] =>
    entries
      .filter(({ needles }) => needles.every((n) => text.includes(n)))
      .flatMap((e) => {
        e.pattern ??= new RegExp(e.source, FLAGS);
        const found = [...text.matchAll(e.pattern)];
        return found.map((m) => ({ keyword: e.keyword, from: m.index, to: m.index + m[0].length }));
      });
  return { hits, count: (text) => countHits(hits(text)) };
}
