/**
 * Message-IDs we write name the case and carry an HMAC, so a reply's In-Reply-To/References proves which case it
 * belongs to, and a forged one (a stranger guessing a case number) does not join it (reference/email.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const RE = /^<?dpo\.([A-Z]{3}-\d{4}-\d{4,})\.([a-z0-9]{6,32})\.([a-f0-9]{16})@([^>\s]+)>?$/i;

function sign(secret: string, caseNumber: string, token: string): string {
  return createHmac('sha256', secret).update(`${caseNumber.toUpperCase()}.${token}`).digest('hex').slice(0, 16);
}

/** `<dpo.DSR-2026-0001.<token>.<hmac>@example.com>` */
export function signedMessageId(secret: string, caseNumber: string, token: string, domain: string): string {
  const t = token.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 32);
  return `<dpo.${caseNumber}.${t}.${sign(secret, caseNumber, t)}@${domain}>`;
}

/** The case number a Message-ID was signed for, or null when it is not ours or its signature is wrong. */
export function verifyMessageId(secret: string, id: string): string | null {
  const m = RE.exec(id.trim());
  if (!m) return null;
  const [, caseNumber, token, sig] = m as unknown as [string, string, string, string];
  const expected = Buffer.from(sign(secret, caseNumber, token.toLowerCase()));
  const given = Buffer.from(sig.toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given) ? caseNumber.toUpperCase() : null;
}
