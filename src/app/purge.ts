/**
 * The purge (gdpr-rules §7, DESIGN flow 6): for every closed case whose retention step is due, one transaction
 * that re-checks the case (closed, not held), redacts its content or deletes its facts, and appends one audit
 * event. A crash between two cases leaves each case either done or untouched; a rerun does the rest.
 */
import type { Transaction } from 'kysely';
import { appendAudit } from '../adapters/db/audit-log.ts';
import { findCaseById, getPrivate } from '../adapters/db/case-repository.ts';
import {
  deleteCaseFacts, dropCaselessMail, hasUnredactedCopies, heldCount, lockCase, redactCaseContent, retentionCandidates,
  type RetentionCandidate,
} from '../adapters/db/retention-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import {
  closedOnOrBefore, factsDueAt, retentionStepDue, type RetentionPolicy, type RetentionStep,
} from '../domain/retention/retention-policy.ts';
import type { AppDeps } from './deps.ts';

export interface PurgeOptions {
  dryRun?: boolean;
  /** Called every `progressEvery` cases (the CLI prints it on stderr). */
  onProgress?: (p: { done: number; redacted: number; deleted: number }) => void;
  progressEvery?: number;
  /** Test hook: runs after each committed case (a crash between two cases). */
  afterCase?: (caseNumber: string) => void | Promise<void>;
  batch?: number;
}

export interface PurgeReport {
  now: string;
  dryRun: boolean;
  /** Case numbers whose content was (or would be) redacted, and whose facts were (or would be) deleted. */
  redacted: string[];
  deleted: string[];
  /** Closed cases past their content retention that a legal hold keeps whole. */
  held: number;
  /** Stored mail of no case (auto-replies, bounces, quarantine), emptied after the content period. */
  caselessMails: number;
}

export const policyOf = (deps: Pick<AppDeps, 'config'>): RetentionPolicy => deps.config.retention;

export async function purge(deps: AppDeps, now: Date, opts: PurgeOptions = {}): Promise<PurgeReport> {
  const policy = policyOf(deps);
  const db = deps.database.db;
  const closedBefore = closedOnOrBefore(policy, now);
  const factsBefore = new Date(Math.max(factsDueCutoff('request', policy, now), factsDueCutoff('breach', policy, now)));
  const report: PurgeReport = {
    now: now.toISOString(), dryRun: Boolean(opts.dryRun), redacted: [], deleted: [], held: 0, caselessMails: 0,
  };
  const every = opts.progressEvery ?? 100;
  let afterId: string | null = null;
  let done = 0;
  for (;;) {
    const batch = await retentionCandidates(db, { closedBefore, factsBefore, afterId, limit: opts.batch ?? 200 });
    for (const cand of batch) {
      const step = retentionStepDue(cand, policy, now);
      if (!step) continue;
      const applied = opts.dryRun ? step : await db.transaction().execute((trx) => applyStep(trx, deps, cand.id, now));
      if (applied === 'content') report.redacted.push(cand.number);
      if (applied === 'facts') report.deleted.push(cand.number);
      if (applied) await opts.afterCase?.(cand.number);
      if (applied && ++done % every === 0) {
        opts.onProgress?.({ done, redacted: report.redacted.length, deleted: report.deleted.length });
      }
    }
    if (batch.length < (opts.batch ?? 200)) break;
    afterId = batch[batch.length - 1]!.id;
  }
  report.held = await heldCount(db, closedBefore);
  report.caselessMails = await purgeCaselessMail(deps, closedBefore, now, Boolean(opts.dryRun));
  return report;
}

/** Mail no case holds, stored before `before`: emptied in one transaction with one audit event. */
async function purgeCaselessMail(deps: AppDeps, before: Date, now: Date, dryRun: boolean): Promise<number> {
  if (dryRun) return dropCaselessMail(deps.database.db, before, true);
  return deps.database.db.transaction().execute(async (trx) => {
    const mails = await dropCaselessMail(trx, before, false);
    if (mails) {
      await appendAudit(trx, [{
        caseId: null, type: 'CaselessMailRedacted', actor: 'system', at: now,
        data: {
          mails, before: before.toISOString(), rule: `gdpr-rules §7: content ${policyOf(deps).contentDays} days`,
        },
      }]);
    }
    return mails;
  });
}

/** The latest closure instant whose facts are due at `now` (months/years back from now). */
function factsDueCutoff(kind: string, policy: RetentionPolicy, now: Date): number {
  // factsDueAt(kind, closedAt) <= now  ⇔  closedAt <= now minus the period; computed by stepping back.
  const back = factsDueAt(kind, now, { ...policy, factsMonths: -policy.factsMonths, breachYears: -policy.breachYears });
  return back.getTime();
}

/** One case, in its transaction: re-checked under the transaction, then one step and one audit event. */
async function applyStep(
  trx: Transaction<DB>, deps: AppDeps, caseId: string, now: Date,
): Promise<RetentionStep | null> {
  await lockCase(trx, deps.database.dialect, caseId); // two purges at once: the second sees the first's work
  const c = await findCaseById(trx, caseId);
  const priv = c ? await getPrivate(trx, caseId) : null;
  if (!c || !c.closedAt) return null;
  const fresh: RetentionCandidate = {
    id: c.id, number: c.number, kind: c.kind, closedAt: c.closedAt, legalHold: c.legalHold,
    contentRedactedAt: priv?.redactedAt ?? null, unredactedCopies: await hasUnredactedCopies(trx, c.id),
  };
  const step = retentionStepDue(fresh, policyOf(deps), now);
  if (step === 'facts') {
    await deleteCaseFacts(trx, c.id);
    await appendAudit(trx, [{
      caseId: c.id, type: 'CaseFactsDeleted', actor: 'system', at: now,
      data: { number: c.number, kind: c.kind, closedAt: c.closedAt.toISOString(), rule: retentionRule(deps, c.kind) },
    }]);
  } else if (step === 'content') {
    const removed = await redactCaseContent(trx, c.id, now, { keepRegister: c.kind === 'breach' });
    await appendAudit(trx, [{
      caseId: c.id, type: 'CaseContentRedacted', actor: 'system', at: now,
      data: {
        number: c.number, ...removed, rule: `gdpr-rules §7: content ${policyOf(deps).contentDays} days after closure`,
      },
    }]);
  }
  return step;
}

function retentionRule(deps: Pick<AppDeps, 'config'>, kind: string): string {
  const p = policyOf(deps);
  return kind === 'breach'
    ? `gdpr-rules §7: breach register entries ${p.breachYears} years after closure`
    : `gdpr-rules §7: case facts ${p.factsMonths} months after closure`;
}
