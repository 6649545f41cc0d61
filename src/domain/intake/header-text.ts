/**
 * Making header-derived text safe to hand on. Every value that leaves the intake module may end up in a header we
 * write or a Slack message, so CR/LF and other control characters are removed here (email.md: header injection).
 */

/** Control characters (C0, DEL, C1) and Unicode line/paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** A single-line, trimmed version of a header value: control characters become one space. */
export function cleanHeaderValue(value: string): string {
  return value.replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Like {@link cleanHeaderValue}, but an empty result becomes null. */
export function cleanOrNull(value: string | null | undefined): string | null {
  if (value == null) return null;
  const cleaned = cleanHeaderValue(value);
  return cleaned === '' ? null : cleaned;
}

/**
 * The message ids in a Message-ID / In-Reply-To / References value, without `<>` (RFC 5322 §3.6.4).
 * A bare id without brackets (seen from broken clients) is accepted when it is the only token and holds an `@`.
 */
export function messageIdsIn(value: string | null | undefined): string[] {
  if (!value) return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => cleanHeaderValue(m[1] ?? ''));
  if (bracketed.length > 0) return bracketed.filter((id) => id !== '');
  const bare = cleanHeaderValue(value);
  return /^[^\s<>]+@[^\s<>]+$/.test(bare) ? [bare] : [];
}

/** The first message id in a header value, or null. */
export function firstMessageId(value: string | null | undefined): string | null {
  return messageIdsIn(value)[0] ?? null;
}
