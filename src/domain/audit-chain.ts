/**
 * The audit log is hash-chained: each event's hash covers its content and the previous hash, so an edited,
 * removed or reordered event breaks the chain (`dpo-desk audit verify`). Events carry facts; free text is chained
 * only as a salted commitment (audit-seal.ts), so retention removes its cleartext without rewriting the chain.
 */
import { createHash } from 'node:crypto';

export interface AuditContent {
  seq: number;
  caseId: string | null;
  type: string;
  actor: string;
  at: Date;
  data: Record<string, unknown>;
}

export interface AuditRecord extends AuditContent {
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function chainHash(prevHash: string, e: AuditContent): string {
  const body = canonicalJson({ seq: e.seq, caseId: e.caseId, type: e.type, actor: e.actor, at: e.at, data: e.data });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export interface ChainProblem {
  seq: number;
  problem: string;
}

/**
 * Incremental verifier: feed records in `seq` order, then `finish` with the stored head.
 * Streams, so a log of millions of events is checked page by page.
 */
export function createChainVerifier() {
  let prev: AuditRecord | null = null;
  let count = 0;
  const problems: ChainProblem[] = [];
  return {
    add(r: AuditRecord): void {
      count++;
      const expectedSeq = (prev?.seq ?? 0) + 1;
      if (r.seq !== expectedSeq) {
        problems.push({ seq: r.seq, problem: r.seq > expectedSeq
          ? `event(s) ${expectedSeq}..${r.seq - 1} are missing (removed)` : 'out of order (reordered)' });
      }
      if (chainHash(r.prevHash, r) !== r.hash) problems.push({ seq: r.seq, problem: 'content does not match its hash (edited)' });
      if (r.prevHash !== (prev?.hash ?? '')) {
        problems.push({ seq: r.seq, problem: 'does not follow the previous event (removed or reordered before it)' });
      }
      prev = r;
    },
    finish(head: { seq: number; hash: string }): { ok: boolean; count: number; problems: ChainProblem[] } {
      if ((prev?.seq ?? 0) !== head.seq || (prev?.hash ?? '') !== head.hash) {
        problems.push({ seq: head.seq, problem: `the log ends at ${prev?.seq ?? 0} but the chain head is at ${head.seq} (events removed at the end)` });
      }
      return { ok: problems.length === 0, count, problems };
    },
  };
}
