/**
 * When a request reached the organisation (gdpr-rules §1): the first `Received:` header our own server added,
 * else the delivery time the mailbox reports; a request forwarded by a colleague keeps its original date.
 *
 * "Our own servers" are `MAIL_RECEIVING_HOSTS` when configured, else every host under the organisation's domains
 * (`ORG_DOMAINS` and the DPO address's domain). When no stamp is ours, the topmost `Received:` header still dates
 * the message: it is always written by the receiving side, never by the sender. Only then IMAP INTERNALDATE; a file
 * import has none, so its `Date:` header, and only without one the time of the import — never a file's mtime.
 */
import { cleanHeaderValue } from './header-text.ts';
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

/**
 * Which header dated the message: `received` (our server's stamp), `topmost_received` (no stamp is ours),
 * `internal_date` (IMAP INTERNALDATE), `date_header` (a file import's `Date:`), `imported` (a file import without
 * any date), `forwarded_original` (the original's date in a colleague's forward).
 */
export type ReceiptSource =
  | 'received' | 'topmost_received' | 'internal_date' | 'date_header' | 'imported' | 'forwarded_original';

export interface Receipt {
  at: Date;
  source: ReceiptSource;
  /** The header line that gave the instant (`Received: … by mx.example.com …; <date>`), shortened; null if none. */
  header: string | null;
}

/** IMAP INTERNALDATE (a Date), or for a file import the time of the import (it has no INTERNALDATE). */
export type Delivery = Date | { importedAt: Date };

/** Who our receiving servers are: explicit host names, else any host under these domains. */
export interface OwnServers {
  receivingHosts: readonly string[];
  /** ORG_DOMAINS and the DPO address's domain; used only when `receivingHosts` is empty. */
  domains: readonly string[];
}

function bare(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

/** A predicate telling whether a `by` host is one of our servers. */
export function ownServerTest(servers: OwnServers): (host: string | null) => boolean {
  const hosts = new Set(servers.receivingHosts.map(bare).filter(Boolean));
  const domains = servers.domains.map(bare).filter(Boolean);
  return (host) => {
    if (host === null) return false;
    if (hosts.size > 0) return hosts.has(host);
    return domains.some((d) => host === d || host.endsWith(`.${d}`));
  };
}

function stampLine(value: string): string {
  const clean = cleanHeaderValue(`Received: ${value}`);
  return clean.length > 200 ? `${clean.slice(0, 197)}...` : clean;
}

/**
 * The receipt instant of the outer message (gdpr-rules §1).
 *
 * `Received` headers are prepended, so the list reads newest first. Our servers' headers form one run near the top;
 * the bottom-most of that run is when the message first reached the organisation. Headers further down that also
 * claim `by <our host>` were written before our server saw the message — by the sender, who can write anything
 * (email.md, Trust) — so they are not believed. Hops above the run that are not ours (a local LMTP or filter step
 * we forgot to list) are skipped.
 */
export function receiptInstant(
  receivedValues: readonly string[], servers: OwnServers | readonly string[], delivery: Delivery,
  dateHeader: string | null = null,
): Receipt {
  const own = Array.isArray(servers) ? { receivingHosts: servers, domains: [] } : (servers as OwnServers);
  const isOurs = ownServerTest(own);
  const stamps = receivedValues.map(parseReceived);
  const start = stamps.findIndex((s) => isOurs(s.by));
  if (start >= 0) {
    let end = start;
    while (end + 1 < stamps.length && isOurs(stamps[end + 1]?.by ?? null)) end += 1;
    for (let i = end; i >= start; i -= 1) {
      const at = stamps[i]?.at;
      if (at) return { at, source: 'received', header: stampLine(receivedValues[i]!) };
    }
  }
  const topmost = stamps[0]?.at;
  if (start < 0 && topmost) return { at: topmost, source: 'topmost_received', header: stampLine(receivedValues[0]!) };
  if (delivery instanceof Date) return { at: delivery, source: 'internal_date', header: null };
  const dated = parseMailDate(dateHeader);
  if (dated) return { at: dated, source: 'date_header', header: cleanHeaderValue(`Date: ${dateHeader}`) };
  return { at: delivery.importedAt, source: 'imported', header: null };
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
