/**
 * Which case an inbound message belongs to (reference/email.md, threading): our signed Message-ID in
 * In-Reply-To/References; any stored Message-ID of a case in References (right to left); a case tag in the
 * subject only when the sender is already a participant — a stranger's tag only links a new case as related.
 */
import type { Transaction } from 'kysely';
import { findCaseById, findCaseByNumber } from '../adapters/db/case-repository.ts';
import { caseOfMessageIds, isParticipant } from '../adapters/db/mail-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Understanding } from '../domain/intake/understanding.ts';
import { verifyMessageId } from '../domain/message-id.ts';
import type { Case } from '../domain/case.ts';

export type ThreadMatch =
  | { case: Case; via: 'signed-message-id' | 'references' | 'case-tag' }
  | { related: Case }
  | null;

const TAG_RE = /\[((?:DSR|BRE)-\d{4}-\d{4,})\]/i;

export async function findThread(trx: Transaction<DB>, secret: string, m: Understanding): Promise<ThreadMatch> {
  const ids = [m.inReplyTo, ...[...m.references].reverse()].filter((x): x is string => Boolean(x));
  for (const id of ids) {
    const number = verifyMessageId(secret, id);
    const c = number ? await findCaseByNumber(trx, number) : null;
    if (c) return { case: c, via: 'signed-message-id' };
  }
  const stored = await caseOfMessageIds(trx, ids);
  const byRef = stored ? await findCaseById(trx, stored.caseId) : null;
  if (byRef) return { case: byRef, via: 'references' };
  const tag = TAG_RE.exec(m.subject)?.[1]?.toUpperCase();
  const tagged = tag ? await findCaseByNumber(trx, tag) : null;
  if (!tagged) return null;
  const sender = m.from?.email;
  if (sender && (await isParticipant(trx, tagged.id, sender))) return { case: tagged, via: 'case-tag' };
  return { related: tagged };
}

/** A bounce of our own mail: the case whose outbound message bounced. */
export async function caseOfBounce(trx: Transaction<DB>, bouncedMessageId: string | null): Promise<Case | null> {
  if (!bouncedMessageId) return null;
  const hit = await caseOfMessageIds(trx, [bouncedMessageId]);
  return hit?.direction === 'out' ? findCaseById(trx, hit.caseId) : null;
}
