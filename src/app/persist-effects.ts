/** Saving a decision's effects in its transaction: outbox rows, the Message-IDs of our mails, audit events. */
import type { Transaction } from 'kysely';
import { appendAudit } from '../adapters/db/audit-log.ts';
import { recordCaseMessage } from '../adapters/db/mail-repository.ts';
import { enqueue } from '../adapters/db/outbox-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Effects } from './compose-mail.ts';

export const bareMessageId = (id: string) => id.trim().replace(/^<|>$/g, '');

export async function persistEffects(trx: Transaction<DB>, fx: Effects, now: Date): Promise<void> {
  await enqueue(trx, fx.outbox, now);
  for (const row of fx.outbox) {
    if (row.channel === 'mail' && row.caseId && typeof row.payload.messageId === 'string') {
      await recordCaseMessage(trx, row.caseId, bareMessageId(row.payload.messageId), 'out', now);
    }
  }
  await appendAudit(trx, fx.audit);
}
