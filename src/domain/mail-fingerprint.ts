/**
 * What makes two stored mails "the same mail" beyond their Message-ID: the author, recipients, subject and date
 * headers and the body bytes. Trace headers (Received, Delivered-To, Return-Path, X-Original-To…) are left out, so
 * the copy of one mail delivered to two aliases is still one mail, while a different mail that reuses a
 * Message-ID (another sender, another text) is not.
 */
import { createHash } from 'node:crypto';

const IDENTITY_HEADERS = ['from', 'sender', 'to', 'cc', 'subject', 'date', 'in-reply-to', 'references', 'content-type'];

export function contentFingerprint(raw: Uint8Array): string {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const end = headerEnd(bytes);
  const head = bytes.subarray(0, end.head).toString('latin1');
  const fields = new Map<string, string[]>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = /^([!-9;-~]+)[ \t]*:(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    if (!IDENTITY_HEADERS.includes(name)) continue;
    fields.set(name, [...(fields.get(name) ?? []), m[2]!.trim().replace(/\s+/g, ' ')]);
  }
  const h = createHash('sha256');
  for (const name of IDENTITY_HEADERS) h.update(`${name}:${(fields.get(name) ?? []).join('\u0000')}\n`);
  h.update(bytes.subarray(end.body));
  return h.digest('hex');
}

/** Where the header ends and the body begins (CRLF CRLF or LF LF); a message without a body is all header. */
function headerEnd(b: Buffer): { head: number; body: number } {
  const crlf = b.indexOf('\r\n\r\n');
  const lf = b.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { head: crlf, body: crlf + 4 };
  if (lf >= 0) return { head: lf, body: lf + 2 };
  return { head: b.length, body: b.length };
}
