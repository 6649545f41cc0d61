/**
 * Anyone in the organisation reports a privacy incident (awareness is the organisation's, Art. 33(1)): a breach
 * case opens — once per source — with what the reporter knows. The breach workflow's `dpo-page` reminder (at
 * awareness + 0) pages the DPO by Slack DM and mail on the next sweep (every 30 s), case number only. The reporter
 * may later see their own reports' number and state.
 */
import { addRecipients, getRecord, saveRecord } from '../../adapters/db/breach-repository.ts';
import { appendAudit } from '../../adapters/db/audit-log.ts';
import { findCaseById, findCaseByNumber } from '../../adapters/db/case-repository.ts';
import type { Executor } from '../../adapters/db/database.ts';
import type { Transaction } from 'kysely';
import type { DB } from '../../adapters/db/schema.ts';
import { mergeFacts, type BreachFacts } from '../../domain/breach/breach-record.ts';
import { parseRecipients } from '../../domain/breach/recipients.ts';
import type { Case } from '../../domain/case.ts';
import type { Actor, AppDeps, Result } from '../deps.ts';
import { openCaseIn, type OpenedCase } from '../open-case.ts';

export interface IncidentReport {
  /** The Slack user (or address) reporting; may have no dpo-desk role. */
  reporter: string;
  what: string;
  detectedAt: Date | null;
  dataConcerned: string[];
  peopleApprox: string | null;
  contained: 'yes' | 'no' | 'unknown';
  channel: Case['channel'];
  sourceKey: string;
}

export async function reportIncident(deps: AppDeps, r: IncidentReport, now: Date): Promise<OpenedCase> {
  return deps.database.db.transaction().execute(async (trx) => {
    const actor: Actor = { id: r.reporter, role: 'system' };
    const opened = await openCaseIn(
      trx,
      deps,
      {
        kind: 'breach',
        channel: r.channel,
        receivedAt: now,
        detectedAt: r.detectedAt,
        awareAt: now,
        awareRationale: 'reported to the desk; correct it if the organisation knew earlier',
        content: r.what,
        sourceKey: r.sourceKey,
        actor,
      },
      now,
    );
    if (!opened.created) return opened;
    const c = opened.case;
    const facts: BreachFacts = {
      description: r.what,
      recordCategories: r.dataConcerned.length ? r.dataConcerned : undefined,
      subjectsApprox: r.peopleApprox ?? undefined,
      contained: r.contained,
    };
    await saveRecord(trx, c.id, { ...(await getRecord(trx, c.id)), facts: mergeFacts({}, facts) }, now);
    await appendAudit(trx, [
      {
        caseId: c.id,
        type: 'IncidentReported',
        actor: r.reporter,
        at: now,
        data: { contained: r.contained, channel: r.channel },
      },
    ]);
    return opened;
  });
}

/** The reports a person made: number and state only. */
export async function reportsBy(db: Executor, reporter: string): Promise<{ number: string; state: string }[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select('case_id')
    .where('type', '=', 'IncidentReported')
    .where('actor', '=', reporter)
    .orderBy('seq')
    .execute();
  const out = [];
  for (const { case_id } of rows) {
    const c = case_id ? await findCaseById(db, case_id) : null;
    if (c) out.push({ number: c.number, state: c.state });
  }
  return out;
}

/** Imports the Art. 34 recipients list (CSV); any bad row refuses the whole file, naming each line. */
export async function importRecipients(
  deps: AppDeps,
  caseNumber: string,
  csv: string,
  actor: Actor,
  now: Date,
): Promise<Result<{ added: number; duplicates: number; listed: number }>> {
  return deps.database.db.transaction().execute(async (trx) => {
    const c = await findCaseByNumber(trx, caseNumber);
    if (!c || c.kind !== 'breach')
      return { ok: false as const, code: 'CASE_NOT_FOUND', message: `No breach case ${caseNumber}.` };
    return importRecipientsIn(trx, deps, c, csv, actor, now);
  });
}

/** The same inside the caller's transaction (the event that sends the notices imports its list first). */
export async function importRecipientsIn(
  trx: Transaction<DB>,
  deps: AppDeps,
  c: Case,
  csv: string,
  actor: Actor,
  now: Date,
): Promise<Result<{ added: number; duplicates: number; listed: number }>> {
  if (c.role === 'processor')
    return {
      ok: false,
      code: 'PROCESSOR_ROLE',
      message: 'The controller tells the data subjects (Art. 34); as processor, alert the customer.',
    };
  const list = parseRecipients(csv, deps.config.org.defaultLanguage);
  if (list.errors.length)
    return {
      ok: false,
      code: 'CSV_INVALID',
      message: `The list (recipients_csv) has bad rows; nothing imported:\n${list.errors.join('\n')}`,
    };
  const added = await addRecipients(
    trx,
    c.id,
    list.recipients.map((x) => ({ id: deps.newId(), email: x.email, name: x.name, language: x.language })),
    now,
  );
  await appendAudit(trx, [
    {
      caseId: c.id,
      type: 'RecipientsImported',
      actor: actor.id,
      at: now,
      data: { listed: list.recipients.length, added, duplicates: list.duplicates },
    },
  ]);
  return {
    ok: true,
    added,
    duplicates: list.duplicates + (list.recipients.length - added),
    listed: list.recipients.length,
  };
}
