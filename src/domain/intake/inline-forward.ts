/**
 * Inline forwards: a colleague pressed "Forward" and the original's header block sits in the body text (Gmail
 * "---------- Forwarded message ---------", Outlook "From:/Sent:/To:/Subject:" and its localised forms
 * "Von:/Gesendet:", "De :/Envoyé :", "De:/Enviado:", Apple Mail "Begin forwarded message:", Thunderbird
 * "-------- Forwarded Message --------"). The parsing is email-forward-parser's; this file adapts its result.
 *
 * Everything recovered here comes from body text and is unverified (email.md, forwarded mail rule 4).
 */
import EmailForwardParser from 'email-forward-parser';
import { cleanDisplayName, normalizeEmail } from './addresses.ts';
import { cleanOrNull } from './header-text.ts';
import type { MailboxRef } from './understanding.ts';

export interface InlineForward {
  /** The original sender as printed in the body; null when no plausible address was printed. */
  from: MailboxRef | null;
  subject: string | null;
  /** The date exactly as the client printed it (localised, usually without a zone). */
  dateText: string | null;
  /** The original message's body. */
  body: string;
}

/**
 * The forward parser's regular expressions scan the whole text; a forwarded request fits in far less, and this
 * bound keeps a pathological body from costing seconds.
 */
const MAX_SCANNED_CHARS = 200_000;

/**
 * Reads an inline forward from body text, or null when the text is not one. The subject helps the parser tell
 * some clients apart (email-forward-parser README: "especially New Outlook 2019").
 */
export function readInlineForward(text: string, subject: string): InlineForward | null {
  let result: ReturnType<EmailForwardParser['read']>;
  try {
    result = new EmailForwardParser().read(text.slice(0, MAX_SCANNED_CHARS), subject);
  } catch {
    // A parser failure on odd text means "no forward we can read": the outer message is handled as it is.
    return null;
  }
  // email-forward-parser also answers `forwarded: true` from a "FW:" subject alone; without a recovered header
  // block (no sender, no body) there is no original to read, so the outer message stands for itself.
  const sender = result.email.from;
  if (!result.forwarded || (result.email.body === undefined && !sender?.address && !sender?.name)) return null;
  const email = normalizeEmail(result.email.from?.address ?? null);
  return {
    from: email === null ? null : { email, name: cleanDisplayName(result.email.from?.name ?? null) },
    subject: cleanOrNull(result.email.subject),
    dateText: cleanOrNull(result.email.date ?? null),
    body: (result.email.body ?? '').replace(/\r\n?/g, '\n'),
  };
}
