/**
 * `dpo-desk audit verify`: walks the whole chain and names every event that was edited, removed or reordered; with a
 * published anchor (`--expect`), also events cut off the end with the head rewound (audit-anchor.ts).
 */
import { auditHead, readAudit } from '../adapters/db/audit-log.ts';
import { createChainVerifier, type ChainProblem } from '../domain/audit-chain.ts';
import type { Executor } from '../adapters/db/database.ts';
import { checkAnchor, type AuditAnchor } from './audit-anchor.ts';

export async function verifyAudit(db: Executor, expect?: AuditAnchor): Promise<{ ok: boolean; count: number; problems: ChainProblem[] }> {
  const verifier = createChainVerifier();
  const head = await auditHead(db);
  for await (const r of readAudit(db, 1000, undefined, { chained: true })) verifier.add(r);
  const result = verifier.finish(head);
  if (!expect) return result;
  const problems = [...result.problems, ...(await checkAnchor(db, expect))];
  return { ok: problems.length === 0, count: result.count, problems };
}
