/**
 * Finding the original message and its author when a colleague forwarded or redirected a request to the DPO
 * mailbox (email.md, "Forwarded mail"):
 * 1. exactly one attached `message/rfc822` from an internal sender → the attachment is the original (verified);
 * 2. otherwise an inline forward from an internal sender → read from body text (unverified);
 * 3. `Resent-From` or Gmail's `X-Forwarded-For` → a redirect: `From` already is the original author (verified).
 * When the original's author is a colleague too and their text is itself a forward (a forward of a forward), the
 * reading goes on down to the innermost author; one step read from body text makes the author unverified.
 * A stranger's mail is never read as a forward: a "From:" line in their body must not change who the requester is.
 */
import { addressParser, type Email } from 'postal-mime';
import { isInternal, mailboxOf, normalizeEmail } from './addresses.ts';
import { cleanHeaderValue, firstMessageId } from './header-text.ts';
import { readInlineForward } from './inline-forward.ts';
import { parseMailDate, zoneOffsetIn } from './mail-date.ts';
import { firstHeader, mailText, parseMail } from './parsed-mail.ts';
import type { ForwardInfo, MailboxRef, OriginalMessage, Requester } from './understanding.ts';

/** The outer message as the orchestrator has already read it. */
export interface OuterMessage {
  from: MailboxRef | null;
  subject: string;
  /** The raw `Date:` header, for its zone offset. */
  dateHeader: string | null;
  original: OriginalMessage;
}

export interface Recovery {
  forward: ForwardInfo | null;
  original: OriginalMessage;
  /** Who wrote the original; `verified: false` when only body text names them. */
  author: Requester | null;
}

/** Subject prefixes mail clients add when forwarding (en, de, fr, es, pt, nordic). */
const FORWARD_PREFIX = /^\s*(?:(?:fwd?|wg|tr|rv|enc|vs|vb|fw)\s*:\s*)+/i;

/** The outer message as its own original, with its From as the (verified) author. */
export function notForwarded(outer: OuterMessage): Recovery {
  return { forward: null, original: outer.original, author: outer.from && { ...outer.from, verified: true } };
}

/** A forward of a forward of …: deeper nesting than this is not followed. */
const MAX_NESTING = 5;

/** Applies rules 1–3 in order; see the file comment. */
export async function recoverOriginal(mail: Email, outer: OuterMessage, orgDomains: readonly string[]): Promise<Recovery> {
  const forwardedBy = outer.from?.email ?? null;
  if (forwardedBy !== null && isInternal(forwardedBy, orgDomains)) {
    const attached = mail.attachments.filter((a) => a.mimeType === 'message/rfc822');
    const first = attached.length === 1 && attached[0] ? await attachedOriginal(attached[0].content, forwardedBy) : null;
    const recovered = first ?? inlineOriginal(outer, outer.original, forwardedBy);
    if (recovered) return innermost(recovered, outer, orgDomains);
  }
  return redirected(mail, outer) ?? notForwarded(outer);
}

/** Follows forwards nested inside a colleague's forwarded text down to the first author who is not a colleague. */
function innermost(recovery: Recovery, outer: OuterMessage, orgDomains: readonly string[]): Recovery {
  let current = recovery;
  for (let depth = 1; depth < MAX_NESTING; depth += 1) {
    const author = current.author?.email ?? null;
    if (author === null || !isInternal(author, orgDomains)) break;
    const deeper = inlineOriginal(outer, current.original, author);
    if (!deeper) break;
    current = {
      forward: { kind: 'inline', forwardedBy: recovery.forward?.forwardedBy ?? null },
      original: { ...deeper.original, date: deeper.original.date ?? current.original.date },
      author: deeper.author && { ...deeper.author, verified: false },
    };
  }
  return current;
}

async function attachedOriginal(content: ArrayBuffer | Uint8Array | string, forwardedBy: string): Promise<Recovery | null> {
  const parsed = await parseMail(content);
  if (!parsed.ok) return null;
  const inner = parsed.mail;
  const from = mailboxOf(inner.from);
  const original: OriginalMessage = {
    subject: cleanHeaderValue(inner.subject ?? ''),
    date: parseMailDate(firstHeader(inner, 'date')),
    text: mailText(inner),
    messageId: firstMessageId(inner.messageId),
  };
  return { forward: { kind: 'attached', forwardedBy }, original, author: from && { ...from, verified: true } };
}

function inlineOriginal(outer: OuterMessage, text: OriginalMessage, forwardedBy: string): Recovery | null {
  const inline = readInlineForward(text.text, text.subject);
  if (!inline) return null;
  // Clients print the forwarded header in the forwarder's local time, usually without a zone: read it in the zone
  // of the forwarder's own Date header.
  const offset = outer.dateHeader ? (zoneOffsetIn(outer.dateHeader) ?? 0) : 0;
  const original: OriginalMessage = {
    subject: inline.subject ?? text.subject.replace(FORWARD_PREFIX, ''),
    date: parseMailDate(inline.dateText, offset),
    text: inline.body,
    messageId: null,
  };
  return { forward: { kind: 'inline', forwardedBy }, original, author: inline.from && { ...inline.from, verified: false } };
}

/** Rule 3: a redirect keeps the original From; who redirected it is in Resent-From or X-Forwarded-For. */
function redirected(mail: Email, outer: OuterMessage): Recovery | null {
  const resentFrom = firstHeader(mail, 'resent-from');
  const forwardedFor = firstHeader(mail, 'x-forwarded-for');
  if (resentFrom === null && forwardedFor === null) return null;
  const by =
    (resentFrom !== null ? mailboxOf(addressParser(resentFrom)[0])?.email : undefined) ??
    normalizeEmail(forwardedFor?.trim().split(/[\s,]+/)[0] ?? null);
  return { ...notForwarded(outer), forward: { kind: 'redirect', forwardedBy: by ?? null } };
}
