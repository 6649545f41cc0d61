/**
 * The managers' daily digest: open cases by governing deadline, overdue first; how many are due this week; the
 * share of requests answered on time in the last 90 days. Case facts only — to the managers channel and by mail.
 */
import { listCases } from '../adapters/db/case-repository.ts';
import { enqueue, type NewOutboxRow } from '../adapters/db/outbox-repository.ts';
import { countdown } from '../domain/countdown.ts';
import { dateInZone, formatInZone, lastDayBefore } from '../domain/local-date.ts';
import type { AppDeps } from './deps.ts';
import { currentAnchor, formatAnchor } from './audit-anchor.ts';

export interface Digest {
  date: string;
  open: number;
  overdue: number;
  dueThisWeek: number;
  onTimeRate: string;
  cases: { caseNumber: string; kind: string; state: string; due: string; countdown: string }[];
}

export async function buildDigest(deps: AppDeps, now: Date): Promise<Digest> {
  const db = deps.database.db;
  const zone = deps.config.org.timezone;
  const open = await listCases(db, { open: true, limit: 10_000 });
  const week = now.getTime() + 7 * 86_400_000;
  const since = now.getTime() - 90 * 86_400_000;
  const closed = (await db.selectFrom('cases').select(['closed_at', 'governing_due_at']).where('closed_at', '>=', since)
    .where('kind', '=', 'request').execute());
  const onTime = closed.filter((c) => c.governing_due_at === null || Number(c.closed_at) <= Number(c.governing_due_at)).length;
  return {
    date: dateInZone(now, zone),
    open: open.length,
    overdue: open.filter((c) => c.governingDueAt && c.governingDueAt.getTime() <= now.getTime()).length,
    dueThisWeek: open.filter((c) => c.governingDueAt && c.governingDueAt.getTime() > now.getTime() && c.governingDueAt.getTime() <= week).length,
    onTimeRate: closed.length ? `${Math.round((100 * onTime) / closed.length)}% (${onTime} of ${closed.length})` : 'no requests closed yet',
    cases: open.slice(0, 50).map((c) => ({
      caseNumber: c.number, kind: c.kind, state: c.state,
      due: c.governingDueAt ? (c.kind === 'breach' ? formatInZone(c.governingDueAt, zone).slice(0, 16) : lastDayBefore(c.governingDueAt, zone)) : '—',
      countdown: countdown(c.governingDueAt, now),
    })),
  };
}

/** Queues the digest for its day: the idempotency key makes a second run on the same day a no-op. */
export async function sendDigest(deps: AppDeps, now: Date): Promise<Digest> {
  const digest = await buildDigest(deps, now);
  const audit = { anchor: formatAnchor(await currentAnchor(deps.database.db)) }; // published outside the database
  const rows: NewOutboxRow[] = [{
    id: deps.newId(), caseId: null, channel: 'slack', kind: 'digest', idempotencyKey: `digest:${digest.date}:slack`,
    payload: { to: { channel: 'managers' }, digest, audit }, notBefore: now,
  }];
  for (const to of deps.config.managersEmail) {
    const id = deps.newId();
    const mail = deps.mail?.composeInternal({ template: 'digest', to, caseNumber: null, outboxId: id, context: { digest, audit } });
    rows.push({ id, caseId: null, channel: 'mail', kind: 'digest', idempotencyKey: `digest:${digest.date}:${to}`, payload: { ...(mail ?? { to }), digest, audit }, notBefore: now });
  }
  await deps.database.db.transaction().execute((trx) => enqueue(trx, rows, now));
  return digest;
}
