/**
 * The one place that talks to the MIME parser (postal-mime). Everything else works on its `Email` shape through
 * the helpers here. Unknown charsets never throw: postal-mime falls back to windows-1252 and replaces what it
 * cannot decode (email.md: every charset must decode to valid UTF-8 without crashing).
 */
import PostalMime, { type Email } from 'postal-mime';
import { htmlToText } from './html-to-text.ts';

export type ParseOutcome = { ok: true; mail: Email } | { ok: false; detail: string };

/** RFC 5322 §3.6.8: a field name is printable US-ASCII except the colon. */
const FIELD_NAME = /^[!-9;-~]+$/;

/** Headers whose presence shows that the bytes really start with an RFC 5322 header section. */
const ENVELOPE_HEADERS = ['from', 'sender', 'date', 'received', 'message-id', 'return-path'];

/**
 * Parses raw bytes. `message/rfc822` parts always stay attachments (`forceRfc822Attachments`), so an attached
 * original is never mixed into the forwarder's text. A message whose first line is not a header field, or that
 * has none of the envelope headers, is not mail at all and is reported as unparseable.
 */
export async function parseMail(raw: Uint8Array | ArrayBuffer | string): Promise<ParseOutcome> {
  let mail: Email;
  try {
    mail = await PostalMime.parse(withoutMboxLine(raw), { forceRfc822Attachments: true });
  } catch (err) {
    return { ok: false, detail: `MIME parser failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const first = mail.headers[0];
  if (!first || !FIELD_NAME.test(first.key)) {
    return { ok: false, detail: 'no RFC 5322 header section at the start of the message' };
  }
  if (!mail.headers.some((h) => ENVELOPE_HEADERS.includes(h.key))) {
    return { ok: false, detail: 'no From, Date, Received or Message-ID header' };
  }
  return { ok: true, mail: withRepairedBody(mail, raw) };
}

/**
 * Broken-MIME repair: a `multipart/*` without a usable boundary parameter makes the parser drop the whole body. Then
 * the raw body (after the first empty line) is kept as text, so a request's words are still seen; part headers
 * left in it are harmless noise for keyword matching. A truncated multipart needs no repair: postal-mime keeps
 * every part up to the end of the data.
 */
function withRepairedBody(mail: Email, raw: Uint8Array | ArrayBuffer | string): Email {
  if (mail.text !== undefined || mail.html !== undefined || mail.attachments.length > 0) return mail;
  const whole = typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: false }).decode(raw);
  const start = /\r?\n\r?\n/.exec(whole);
  const body = start ? whole.slice(start.index + start[0].length).trim() : '';
  return body === '' ? mail : { ...mail, text: body };
}

/**
 * Drops an mbox envelope line ("From jane@example.test Mon Mar  2 10:00:00 2026") that exporting tools put before
 * the headers of a saved message; it is not a header and would hide the real header section from the parser.
 */
function withoutMboxLine(raw: Uint8Array | ArrayBuffer | string): Uint8Array | ArrayBuffer | string {
  if (typeof raw === 'string') return raw.startsWith('From ') ? raw.slice(raw.indexOf('\n') + 1) : raw;
  const bytes = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
  const isMbox = bytes.length > 5 && String.fromCharCode(...bytes.subarray(0, 5)) === 'From ';
  const newline = isMbox ? bytes.indexOf(0x0a) : -1;
  return newline >= 0 ? bytes.subarray(newline + 1) : raw;
}

/** Every value of a header, top to bottom, unfolded but not decoded. */
export function headerValues(mail: Email, name: string): string[] {
  const key = name.toLowerCase();
  return mail.headers.filter((h) => h.key === key).map((h) => h.value);
}

/** The first (top-most) value of a header, or null. */
export function firstHeader(mail: Email, name: string): string | null {
  return headerValues(mail, name)[0] ?? null;
}

/** The body as plain text: the text part, else the HTML part converted; line ends normalised to `\n`. */
export function mailText(mail: Email): string {
  const text = mail.text ?? (mail.html ? htmlToText(mail.html) : '');
  return text.replace(/\r\n?/g, '\n');
}

/** The byte length of an attachment's content whatever encoding postal-mime returned it in. */
export function contentSize(content: ArrayBuffer | Uint8Array | string): number {
  return typeof content === 'string' ? new TextEncoder().encode(content).byteLength : content.byteLength;
}

/** An attachment's content as text (UTF-8, invalid bytes replaced), for reading embedded headers. */
export function contentText(content: ArrayBuffer | Uint8Array | string): string {
  if (typeof content === 'string') return content;
  return new TextDecoder('utf-8', { fatal: false }).decode(content);
}
