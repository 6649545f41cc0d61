/** Cases, their private data, deadlines, pauses and links. Row ↔ domain mapping lives only here. */
import type { Selectable } from 'kysely';
import type { Case, CasePrivate } from '../../domain/case.ts';
import type { Deadline, Pause } from '../../domain/deadlines/deadline.ts';
import { readAudit } from './audit-log.ts';
import type { Executor } from './database.ts';
import type { CasesTable, CaseDeadlinesTable } from './schema.ts';

const ms = (d: Date | null) => (d ? d.getTime() : null);
const date = (n: number | null) => (n === null ? null : new Date(n));

function toRow(c: Case): CasesTable {
  return {
    id: c.id, number: c.number, source_key: c.sourceKey, kind: c.kind, state: c.state,
    request_types: JSON.stringify(c.requestTypes),
    regimes: JSON.stringify(c.regimes), role: c.role, owner: c.owner, language: c.language, channel: c.channel,
    received_at: c.receivedAt.getTime(), received_date: c.receivedDate, detected_at: ms(c.detectedAt),
    aware_at: ms(c.awareAt), governing_regime: c.governingRegime, governing_due_at: ms(c.governingDueAt),
    identity_verified_at: ms(c.identityVerifiedAt), extension_reasons: c.extension?.reasons ?? null,
    extension_requested_at: ms(c.extension?.requestedAt ?? null), extension_sent_on: c.extension?.sentOn ?? null,
    legal_hold: c.legalHold ? 1 : 0, delivery_failures: c.deliveryFailures, outcome: c.outcome,
    closed_at: ms(c.closedAt), created_at: c.createdAt.getTime(), updated_at: c.updatedAt.getTime(), version: c.version,
    workflow: c.workflow, facts: JSON.stringify(c.facts), clock_from: ms(c.clockFrom),
  };
}

function fromRow(r: Selectable<CasesTable>): Case {
  return {
    id: r.id, number: r.number, sourceKey: r.source_key, kind: r.kind as Case['kind'], state: r.state,
    requestTypes: JSON.parse(r.request_types), regimes: JSON.parse(r.regimes), role: r.role as Case['role'],
    owner: r.owner, language: r.language as Case['language'], channel: r.channel as Case['channel'],
    receivedAt: new Date(r.received_at), receivedDate: r.received_date, detectedAt: date(r.detected_at),
    awareAt: date(r.aware_at), governingRegime: r.governing_regime as Case['governingRegime'],
    governingDueAt: date(r.governing_due_at), identityVerifiedAt: date(r.identity_verified_at),
    extension: r.extension_reasons === null ? null : {
      reasons: r.extension_reasons, requestedAt: new Date(r.extension_requested_at!), sentOn: r.extension_sent_on,
    },
    legalHold: r.legal_hold === 1, deliveryFailures: r.delivery_failures, outcome: r.outcome,
    closedAt: date(r.closed_at), createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
    version: r.version,
    workflow: r.workflow || r.kind, facts: JSON.parse(r.facts || '{}'), clockFrom: date(r.clock_from),
  };
}

/**
 * The next number of a per-year sequence, atomically (one statement: safe with two instances on PostgreSQL,
 * and under SQLite's single writer).
 */
export async function nextSequence(db: Executor, prefix: string, year: number): Promise<number> {
  const row = await db.insertInto('case_sequences').values({ prefix, year, last: 1 })
    .onConflict((oc) => oc.columns(['prefix', 'year'])
      .doUpdateSet((eb) => ({ last: eb('case_sequences.last', '+', 1) })))
    .returning('last').executeTakeFirstOrThrow();
  return Number(row.last);
}

export async function insertCase(db: Executor, c: Case, p: CasePrivate): Promise<void> {
  await db.insertInto('cases').values(toRow(c)).execute();
  await db.insertInto('case_private').values({
    case_id: c.id, requester_email: p.requesterEmail, requester_name: p.requesterName,
    requester_verified: p.requesterVerified ? 1 : 0, requester_address: p.requesterAddress, subject: p.subject,
    content: p.content, redacted_at: ms(p.redactedAt),
  }).execute();
}

export class StaleCaseError extends Error {
  constructor(readonly caseNumber: string) {
    super(`case ${caseNumber} was changed by someone else meanwhile; try again`);
  }
}

/** Saves a changed case; optimistic: fails with StaleCaseError if another writer saved it first. */
export async function updateCase(db: Executor, c: Case): Promise<Case> {
  const next = { ...c, version: c.version + 1 };
  const res = await db.updateTable('cases').set(toRow(next)).where('id', '=', c.id).where('version', '=', c.version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new StaleCaseError(c.number);
  return next;
}

export async function findCaseByNumber(db: Executor, number: string): Promise<Case | null> {
  const r = await db.selectFrom('cases').selectAll().where('number', '=', number).executeTakeFirst();
  return r ? fromRow(r) : null;
}

export async function findCaseBySource(db: Executor, sourceKey: string): Promise<Case | null> {
  const r = await db.selectFrom('cases').selectAll().where('source_key', '=', sourceKey).executeTakeFirst();
  return r ? fromRow(r) : null;
}

export async function findCaseById(db: Executor, id: string): Promise<Case | null> {
  const r = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : null;
}

export interface CaseFilter {
  states?: string[];
  open?: boolean;
  owner?: string;
  dueBefore?: Date;
  limit?: number;
}

/** Cases ordered by governing deadline, earliest (so overdue) first. */
export async function listCases(db: Executor, f: CaseFilter = {}): Promise<Case[]> {
  let q = db.selectFrom('cases').selectAll();
  if (f.states?.length) q = q.where('state', 'in', f.states);
  if (f.open) q = q.where('closed_at', 'is', null);
  if (f.owner) q = q.where('owner', '=', f.owner);
  if (f.dueBefore) q = q.where('governing_due_at', '<', f.dueBefore.getTime());
  const rows = await q.orderBy('governing_due_at', 'asc').orderBy('number', 'asc').limit(f.limit ?? 500).execute();
  return rows.map(fromRow);
}

export async function getPrivate(db: Executor, caseId: string): Promise<CasePrivate | null> {
  const r = await db.selectFrom('case_private').selectAll().where('case_id', '=', caseId).executeTakeFirst();
  if (!r) return null;
  return {
    requesterEmail: r.requester_email, requesterName: r.requester_name, requesterVerified: r.requester_verified === 1,
    requesterAddress: r.requester_address, subject: r.subject, content: r.content, redactedAt: date(r.redacted_at),
  };
}

/** Replaces a case's computed clocks (one row per regime); the audit log keeps every computation. */
export async function saveDeadlines(db: Executor, caseId: string, deadlines: Deadline[], now: Date): Promise<void> {
  await db.deleteFrom('case_deadlines').where('case_id', '=', caseId).execute();
  if (!deadlines.length) return;
  await db.insertInto('case_deadlines').values(deadlines.map((d) => ({
    case_id: caseId, regime: d.regime, rule: d.rule, inputs: JSON.stringify(d.inputs), received_date: d.received,
    raw_due: d.rawDue, due: d.due, extended_due: d.extendedDue, extended: d.extended ? 1 : 0,
    acknowledge_by: d.acknowledgeBy, opt_out_by: d.optOutBy, due_at: d.dueAt.getTime(), holidays: d.holidays,
    paused_days: d.pausedDays, paused_since: d.pausedSince, steps: JSON.stringify(d.steps), computed_at: now.getTime(),
  }))).execute();
}

export async function getDeadlines(db: Executor, caseId: string): Promise<Deadline[]> {
  const rows = await db.selectFrom('case_deadlines').selectAll().where('case_id', '=', caseId)
    .orderBy('due_at', 'asc').execute();
  return rows.map(deadlineFromRow);
}

function deadlineFromRow(r: Selectable<CaseDeadlinesTable>): Deadline {
  return {
    regime: r.regime as Deadline['regime'], rule: r.rule, inputs: JSON.parse(r.inputs), received: r.received_date,
    rawDue: r.raw_due, due: r.due, extendedDue: r.extended_due, extended: r.extended === 1,
    acknowledgeBy: r.acknowledge_by, optOutBy: r.opt_out_by, dueAt: new Date(r.due_at), holidays: r.holidays,
    pausedDays: r.paused_days, pausedSince: r.paused_since, steps: JSON.parse(r.steps),
  };
}

export async function getPauses(db: Executor, caseId: string): Promise<Pause[]> {
  const rows = await db.selectFrom('case_pauses').selectAll().where('case_id', '=', caseId).orderBy('asked_at')
    .execute();
  return rows.map((r) => ({ reason: r.reason as Pause['reason'], askedOn: r.asked_on, answeredOn: r.answered_on }));
}

export async function openPause(
  db: Executor, p: { id: string; caseId: string; reason: Pause['reason']; askedOn: string; at: Date },
) {
  await db.insertInto('case_pauses').values({
    id: p.id, case_id: p.caseId, reason: p.reason, asked_on: p.askedOn, asked_at: p.at.getTime(),
    answered_on: null, answered_at: null,
  }).execute();
}

/** Closes the open pause of a case; returns whether there was one. */
export async function closePause(db: Executor, caseId: string, answeredOn: string, at: Date): Promise<boolean> {
  const res = await db.updateTable('case_pauses').set({ answered_on: answeredOn, answered_at: at.getTime() })
    .where('case_id', '=', caseId).where('answered_on', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function linkCases(db: Executor, a: string, b: string, relation: string, at: Date): Promise<void> {
  await db.insertInto('case_links').values({ case_id: a, linked_case_id: b, relation, created_at: at.getTime() })
    .onConflict((oc) => oc.columns(['case_id', 'linked_case_id']).doNothing()).execute();
}

export async function getLinks(db: Executor, caseId: string): Promise<{ number: string; relation: string }[]> {
  return db.selectFrom('case_links').innerJoin('cases', 'cases.id', 'case_links.linked_case_id')
    .select(['cases.number as number', 'case_links.relation as relation'])
    .where('case_links.case_id', '=', caseId).orderBy('cases.number').execute();
}

/** The data subject's address as a person confirmed or corrected it. */
export async function setRequesterAddress(db: Executor, caseId: string, email: string): Promise<void> {
  await db.updateTable('case_private').set({ requester_email: email, requester_verified: 1 })
    .where('case_id', '=', caseId).execute();
}

/** The templates whose mail was withheld on a case, with the reason recorded then. */
export async function withheldMails(db: Executor, caseId: string): Promise<{ template: string; reason: string }[]> {
  // The reason is free text, sealed in the chain: read it back through the audit log (a redacted one reads as '').
  const out: { template: string; reason: string }[] = [];
  for await (const e of readAudit(db, 1000, caseId)) {
    if (e.type !== 'MailWithheld') continue;
    out.push({ template: String(e.data.template), reason: typeof e.data.reason === 'string' ? e.data.reason : '' });
  }
  return out;
}
