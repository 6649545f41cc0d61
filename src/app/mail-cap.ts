/**
 * The cap on automatic mail (acknowledgements): never to our own addresses or no-reply style ones, and at most
 * AUTO_MAIL_CAP_PER_DAY to one recipient in 24 hours (reference/email.md, mail loops).
 */
import type { Transaction } from 'kysely';
import { autoMailsSince, logAutoMail } from '../adapters/db/mail-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Effects } from './compose-mail.ts';
import type { AppDeps } from './deps.ts';

const NO_REPLY_RE = /^(no-?reply|do-?not-?reply|noreply|mailer-daemon|postmaster|bounces?)([+.@-]|$)/i;

/**
 * Why an automatic mail (an acknowledgement) must not go to `email`, or null: never to our own addresses, to
 * no-reply style addresses, or past the per-recipient cap in 24 hours (reference/email.md, mail loops).
 */
export async function automaticMailWithheld(
  trx: Transaction<DB>, deps: Pick<AppDeps, 'config'>, email: string | null, now: Date,
): Promise<string | null> {
  if (!email) return null;
  const { org, mail } = deps.config;
  const lower = email.toLowerCase();
  if (lower === org.dpoEmail || lower === mail.from) return 'our own address';
  if (NO_REPLY_RE.test(lower)) return 'a no-reply style address';
  const recent = await autoMailsSince(trx, lower, new Date(now.getTime() - 24 * 3_600_000));
  if (recent >= mail.autoMailCapPerDay) return `automatic mail cap reached (${mail.autoMailCapPerDay} in 24 h)`;
  return null;
}

/** Counts the automatic mails just queued against their recipients' caps. */
export async function countAutomaticMail(trx: Transaction<DB>, deps: Pick<AppDeps, 'newId'>, fx: Effects, now: Date) {
  for (const row of fx.outbox) {
    if (row.channel === 'mail' && typeof row.payload.to === 'string') await logAutoMail(trx, deps.newId(), row.payload.to, now);
  }
}
