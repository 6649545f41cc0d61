/** `dpo-desk audit verify`: walks the whole chain and names every event that was edited, removed or reordered. */
import { auditHead, readAudit } from '../adapters/db/audit-log.ts';
import { createChainVerifier, type ChainProblem } from '../domain/audit-chain.ts';
import type { Executor } from '../adapters/db/database.ts';

export async function verifyAudit(db: Executor): Promise<{ ok: boolean; count: number; problems: ChainProblem[] }> {
  const verifier = createChainVerifier();
  const head = await auditHead(db);
  for await (const r of readAudit(db, 1000, undefined, { chained: true })) verifier.add(r);
  return verifier.finish(head);
}
