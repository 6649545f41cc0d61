/**
 * Retention where a case event happens (gdpr-rules §7), in the event's transaction:
 * - identity verified: the evidence the data subject sent (their mail since the identity question, with its
 *   attachments) is dropped; the audit keeps "identity verified: by, when, how".
 * - an erasure request answered: the desk keeps of that person only what proves the answer — the facts, the
 *   clocks, the hash of their address, when which mail went out — and redacts the rest at once. The answer mail
 *   still queued is sent as is; the next purge redacts its copy.
 * A legal hold blocks both.
 */
import type { Transaction } from 'kysely';
import { appendAudit } from '../adapters/db/audit-log.ts';
import { dropRawMail, redactCaseContent } from '../adapters/db/retention-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Case } from '../domain/case.ts';

export async function afterCaseEvent(
  trx: Transaction<DB>, c: Case, type: string, fields: Record<string, unknown>, now: Date,
): Promise<void> {
  if (c.legalHold) return;
  if (type === 'IdentityVerified') await dropIdentityEvidence(trx, c, fields, now);
  if (c.kind === 'request' && c.state === 'answered' && c.requestTypes.includes('erasure')) {
    const removed = await redactCaseContent(trx, c.id, now);
    await appendAudit(trx, [{
      caseId: c.id, type: 'CaseContentRedacted', actor: 'system', at: now,
      data: { number: c.number, ...removed, rule: 'GDPR Art. 17: erasure answered; only its proof is kept' },
    }]);
  }
}

async function dropIdentityEvidence(trx: Transaction<DB>, c: Case, fields: Record<string, unknown>, now: Date) {
  const asked = await trx.selectFrom('case_pauses').select('asked_at').where('case_id', '=', c.id)
    .where('reason', '=', 'identity').orderBy('asked_at').limit(1).executeTakeFirst();
  if (!asked) return;
  const mails = await dropRawMail(trx, c.id, new Date(Number(asked.asked_at)));
  await appendAudit(trx, [{
    caseId: c.id, type: 'IdentityEvidenceRemoved', actor: 'system', at: now,
    data: {
      mails, how: typeof fields.method === 'string' ? fields.method : null,
      rule: 'gdpr-rules §7: identity evidence never kept after verification',
    },
  }]);
}
