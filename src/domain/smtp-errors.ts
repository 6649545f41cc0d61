/**
 * Which SMTP failures are worth another try (after EmailEngine's delivery-error): a 5xx reply is permanent,
 * a 4xx reply and network trouble are transient (RFC 5321 §4.2.1).
 */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'ECONNREFUSED', 'ECONNRESET', 'EDNS', 'EPROTOCOL', 'ETLS']);

export function smtpFailureIsRetryable(e: { responseCode?: number; code?: string }): boolean {
  if (typeof e.responseCode === 'number') return e.responseCode < 500;
  if (e.code === 'EAUTH') return false; // wrong credentials will not fix themselves
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return false;
  return e.code ? TRANSIENT_CODES.has(e.code) : true;
}
