/**
 * Audit anchoring. The chain alone cannot show events cut off its end when the head row is rewound with them:
 * what is left is a valid, shorter chain. The anchor — the head's hash and count — is published outside the
 * database once a day (the managers' digest); `audit verify --expect <hash>:<count>` then checks that event
 * <count> is still there with that hash, so the log is at least as long as it was and has the same past.
 */
import { auditHead } from '../adapters/db/audit-log.ts';
import type { Executor } from '../adapters/db/database.ts';
import type { ChainProblem } from '../domain/audit-chain.ts';

export interface AuditAnchor {
  hash: string;
  count: number;
}

export async function currentAnchor(db: Executor): Promise<AuditAnchor> {
  const head = await auditHead(db);
  return { hash: head.hash, count: head.seq };
}

export function formatAnchor(a: AuditAnchor): string {
  return `${a.hash || 'empty'}:${a.count}`;
}

/** `<sha256 hex>:<count>` (or `empty:0` for an empty log); null when malformed. */
export function parseAnchor(text: string): AuditAnchor | null {
  const m = /^([0-9a-f]{64}|empty):(\d{1,15})$/.exec(text.trim().toLowerCase());
  if (!m) return null;
  const count = Number(m[2]);
  if ((m[1] === 'empty') !== (count === 0)) return null;
  return { hash: m[1] === 'empty' ? '' : m[1]!, count };
}

/** What is wrong with the log against a published anchor (nothing: []). */
export async function checkAnchor(db: Executor, anchor: AuditAnchor): Promise<ChainProblem[]> {
  if (anchor.count === 0) return [];
  const head = await auditHead(db);
  const at = await db.selectFrom('audit_events').select('hash').where('seq', '=', anchor.count).executeTakeFirst();
  if (!at) {
    const problem = `event #${anchor.count} of the published anchor is gone: the log ends at ${head.seq} `
      + '(events cut off the end and the head rewound)';
    return [{ seq: anchor.count, problem }];
  }
  if (at.hash !== anchor.hash) {
    const problem = `event #${anchor.count} does not have the published hash: the log was rewritten since`;
    return [{ seq: anchor.count, problem }];
  }
  return [];
}
