/**
 * When a request reached the organisation (gdpr-rules §1): the first `Received:` header our own server added,
 * else the delivery time the mailbox reports; a request forwarded by a colleague keeps its original date.
 */
import { parseMailDate } from './mail-date.ts';

export interface ReceivedStamp {
  /** The host after `by`, lower-case, without a trailing dot; null when the header names none. */
  by: string | null;
  /** The time stamp after the last `;` (RFC 5321 §4.4 time-stamp-line), null when it does not parse. */
  at: Date | null;
}

/** Reads the `by` host and the date of one `Received:` header value. */
export function parseReceived(value: string): ReceivedStamp {
  const by = /(?:^|[\s)])by\s+([^\s;()]+)/i.exec(value)?.[1]?.toLowerCase().replace(/\.$/, '') ?? null;
  const semicolon = value.lastIndexOf(';');
  const at = semicolon >= 0 ? parseMailDate(value.slice(semicolon + 1)) : null;
  return { by, at };
}

export type ReceiptSource = 'received' | 'delivered';

export interface Receipt {
  at: Date;
  source: ReceiptSource;
}

/**
 * The receipt instant of the outer message (gdpr-rules §1).
 *
 * `Received` headers are prepended, so the list reads newest first. Our servers' headers form one run near the top;
 * the bottom-most of that run is when the message first reached the organisation. Headers further down that also
 * claim `by <our host>` were written before our server saw the message — by the sender, who can write anything
 * (email.md, Trust) — so they are not believed. Hops above the run that are not in `receivingHosts` (a local
 * LMTP or filter step we forgot to list) are skipped.
 */
export function receiptInstant(receivedValues: readonly string[], receivingHosts: readonly string[], deliveredAt: Date): Receipt {
  const hosts = new Set(receivingHosts.map((h) => h.trim().toLowerCase().replace(/\.$/, '')));
  const stamps = receivedValues.map(parseReceived);
  const start = stamps.findIndex((s) => s.by !== null && hosts.has(s.by));
  if (start < 0) return { at: deliveredAt, source: 'delivered' };
  let end = start;
  while (end + 1 < stamps.length && hosts.has(stamps[end + 1]?.by ?? '')) end += 1;
  for (let i = end; i >= start; i -= 1) {
    const at = stamps[i]?.at;
    if (at) return { at, source: 'received' };
  }
  return { at: deliveredAt, source: 'delivered' };
}

/** How far back an original's date is believed: older dates are more likely wrong clocks than real delays. */
const MAX_ORIGINAL_AGE_YEARS = 1;

/**
 * The receipt instant of a request an internal colleague forwarded (gdpr-rules §1: the clock does not restart
 * because it was sent to the wrong address). The original's date counts when it parses, is not after the outer
 * receipt (a date in the future is a wrong clock), and is at most one year before it; else the outer receipt.
 */
export function forwardedReceiptInstant(originalDate: Date | null, outerReceipt: Date): Date {
  if (originalDate === null || Number.isNaN(originalDate.getTime())) return outerReceipt;
  const earliest = new Date(outerReceipt.getTime());
  earliest.setUTCFullYear(earliest.getUTCFullYear() - MAX_ORIGINAL_AGE_YEARS);
  if (originalDate.getTime() > outerReceipt.getTime() || originalDate.getTime() < earliest.getTime()) return outerReceipt;
  return originalDate;
}
