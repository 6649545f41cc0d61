/**
 * Which failures are transient — the database busy or locked, a connection reset, a timeout — and so must be
 * retried, never treated as a property of the message or row being worked on (never quarantined for them).
 */

/** SQLite result codes (better-sqlite3 `code`) that say "not now", not "never". */
const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|PROTOCOL|IOERR)/;
/** PostgreSQL SQLSTATEs: connection exceptions (08…), serialization failure, deadlock, lock not available,
 * too many connections, admin/crash shutdown, cannot connect now. */
const PG_TRANSIENT = new Set(['40001', '40P01', '55P03', '53300', '57P01', '57P02', '57P03']);
const NET_TRANSIENT = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
]);
const MESSAGE_TRANSIENT =
  /database is locked|database table is locked|connection terminated|timeout exceeded|timed out|socket hang up/i;

export function isTransientError(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!err || typeof err !== 'object') return false;
  const code = typeof err.code === 'string' ? err.code : '';
  if (SQLITE_TRANSIENT.test(code) || PG_TRANSIENT.has(code) || code.startsWith('08')) return true;
  if (NET_TRANSIENT.has(code)) return true;
  if (typeof err.message === 'string' && MESSAGE_TRANSIENT.test(err.message)) return true;
  return err.cause !== undefined && err.cause !== e ? isTransientError(err.cause) : false;
}
