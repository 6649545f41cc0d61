/**
 * Which of our messages bounced. A DSN (RFC 3464, inside a multipart/report, RFC 6522) returns the original as
 * `message/rfc822` or only its headers as `text/rfc822-headers`; its Message-ID matches the outbound message
 * (email.md: a bounce of our own mail is shown on its case as a delivery failure).
 */
import type { Email } from 'postal-mime';
import { firstMessageId } from './header-text.ts';
import { contentText, mailText } from './parsed-mail.ts';

const RETURNED_PARTS = new Set([
  'message/rfc822',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/global', // RFC 6533, internationalised DSNs
  'message/global-headers',
]);

/** The Message-ID header of a header block (up to the first empty line), unfolded; null if it has none. */
export function messageIdOfHeaderBlock(text: string): string | null {
  const block = text.replace(/\r\n?/g, '\n').split(/\n\n/, 1)[0] ?? '';
  const unfolded = block.replace(/\n[ \t]+/g, ' ');
  const line = /^message-id:[ \t]*(.*)$/im.exec(unfolded);
  return line ? firstMessageId(line[1]) : null;
}

/**
 * The Message-ID of the returned original, without `<>`. Falls back to a `Message-ID:` line in the body text, which
 * is where non-DSN bounces (Exim's "This is a copy of the message, including all the headers") put it.
 */
export function bouncedMessageId(mail: Email): string | null {
  for (const part of mail.attachments) {
    if (!RETURNED_PARTS.has(part.mimeType)) continue;
    const id = messageIdOfHeaderBlock(contentText(part.content));
    if (id) return id;
  }
  const inBody = /^[ \t>]*message-id:[ \t]*(<[^>\n]+>)/im.exec(mailText(mail));
  return inBody ? firstMessageId(inBody[1]) : null;
}
