/**
 * Mail addresses: normalising them and telling internal, own and daemon addresses apart.
 * "Internal" means one of the organisation's own domains or a subdomain of one (email.md, ORG_DOMAINS).
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import type { Address } from 'postal-mime';
import { cleanOrNull } from './header-text.ts';
import type { MailboxRef } from './understanding.ts';

/**
 * A pragmatic addr-spec check on the ASCII form: one `@`, no spaces or brackets, a domain with at least one dot.
 * The local part may be UTF-8 (RFC 6531); an internationalised domain is checked in its Punycode form.
 */
const ADDR_SPEC = /^[^\s@<>()[\]",;:\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/**
 * The address lower-cased and stripped of `<>` / `mailto:`, or null when it is not a plausible address. An IDN
 * domain (`anna@münchen.de`, `anna@xn--mnchen-3ya.de`) is checked with `domainToASCII` (WHATWG URL, UTS #46) and
 * kept in its readable Unicode form, so both spellings are the same address.
 */
export function normalizeEmail(value: string | null | undefined): string | null {
  if (!value) return null;
  const bare = value
    .trim()
    .replace(/^<|>$/g, '')
    .replace(/^mailto:/i, '')
    .trim()
    .normalize('NFC')
    .toLowerCase();
  const at = bare.lastIndexOf('@');
  if (at <= 0) return null;
  const local = bare.slice(0, at);
  const ascii = domainToASCII(bare.slice(at + 1));
  if (ascii === '' || !ADDR_SPEC.test(`${local}@${ascii}`)) return null;
  return `${local}@${domainToUnicode(ascii)}`;
}

/** The domain part of a normalised address. */
export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/** True when the address is in one of `orgDomains` or a subdomain of one. */
export function isInternal(email: string, orgDomains: readonly string[]): boolean {
  const domain = domainOf(email);
  return orgDomains.some((d) => {
    const org = d.trim().toLowerCase();
    return org !== '' && (domain === org || domain.endsWith(`.${org}`));
  });
}

/** True when the address is one of our own mailboxes (compared case-insensitively). */
export function isOwnAddress(email: string, ownAddresses: readonly string[]): boolean {
  return ownAddresses.some((own) => own.trim().toLowerCase() === email);
}

/** The local part is MAILER-DAEMON or postmaster: the senders of DSNs (RFC 3464, RFC 5321 §4.5.5). */
export function isDaemonAddress(email: string): boolean {
  return /^(mailer-daemon|postmaster)@/i.test(email);
}

/** A display name without surrounding quotes and control characters, or null. */
export function cleanDisplayName(name: string | null | undefined): string | null {
  const cleaned = cleanOrNull(name);
  if (cleaned === null) return null;
  return cleanOrNull(cleaned.replace(/^["'](.*)["']$/, '$1'));
}

/**
 * The mailbox of a parsed From header. A group (`Team: a@x, b@y;`) yields its first member; an address that is not
 * plausible yields null.
 */
export function mailboxOf(address: Address | undefined): MailboxRef | null {
  if (!address) return null;
  const mailbox = address.group ? address.group[0] : address;
  if (!mailbox) return null;
  const email = normalizeEmail(mailbox.address);
  if (email === null) return null;
  const name = cleanDisplayName(mailbox.name);
  return { email, name: name !== null && normalizeEmail(name) === email ? null : name };
}
