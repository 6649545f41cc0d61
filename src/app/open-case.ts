/**
 * Opening a case: number, facts, private data, clocks, audit events and outbox effects — in one transaction.
 * The same source (a Message-ID, a Slack view) never opens two cases.
 */
import type { Transaction } from 'kysely';
import { appendAudit } from '../adapters/db/audit-log.ts';
import type { DB } from '../adapters/db/schema.ts';
import {
  findCaseBySource, getDeadlines, insertCase, nextSequence, saveDeadlines,
} from '../adapters/db/case-repository.ts';
import { formatCaseNumber, type Case, type CasePrivate, type Channel } from '../domain/case.ts';
import type { Deadline } from '../domain/deadlines/deadline.ts';
import { dateInZone } from '../domain/local-date.ts';
import { prefixOf } from '../domain/workflow/definition.ts';
import { type CaseKind, type Language, type RegimeId, type RequestType } from '../domain/vocabulary.ts';
import { caseDeadlines, withDeadlines } from './case-clocks.ts';
import { caseNotice, mailToRequester } from './compose-mail.ts';
import type { Actor, AppDeps } from './deps.ts';
import { replanReminders } from './plan-reminders.ts';
import { recordCaseMessage, threadOf } from '../adapters/db/mail-repository.ts';
import { persistEffects } from './persist-effects.ts';
import { automaticMailWithheld, countAutomaticMail } from './mail-cap.ts';

export interface OpenCaseInput {
  kind: CaseKind;
  /** The workflow definition (default: the kind's own, request or breach). */
  workflow?: string;
  /** Facts a definition's opening fields recorded (never personal data). */
  facts?: Record<string, unknown>;
  requestTypes?: RequestType[];
  /** Default: the configured ORG_REGIMES for requests, gdpr-breach for breaches. */
  regimes?: RegimeId[];
  language?: Language;
  channel: Channel;
  /** When it reached the organisation (gdpr-rules §1), not when dpo-desk saw it. */
  receivedAt: Date;
  detectedAt?: Date | null;
  /** Breach: set by a person with a rationale; defaults to the report's receipt. */
  awareAt?: Date | null;
  awareRationale?: string | null;
  requester?: { email: string | null; name: string | null; verified: boolean; address?: string | null } | null;
  subject?: string | null;
  content?: string | null;
  owner?: string | null;
  sourceKey?: string | null;
  /** Message-IDs of the mail that opened it (threading; the acknowledgement replies to it). */
  messageIds?: string[];
  /**
   * A person's mail the intake did not understand with confidence: a request case in the `triage` state, its clock
   * running from receipt under the configured regimes, and no acknowledgement (we do not know yet what to confirm).
   */
  triage?: boolean;
  actor: Actor;
}

/** The request workflow's state for mail waiting for a person to type it (workflows/request.yaml). */
export const TRIAGE_STATE = 'triage';

export interface OpenedCase {
  case: Case;
  deadlines: Deadline[];
  /** False when the source had opened a case already (that one is returned). */
  created: boolean;
}

export async function openCase(deps: AppDeps, input: OpenCaseInput, now: Date): Promise<OpenedCase> {
  return deps.database.db.transaction().execute((trx) => openCaseIn(trx, deps, input, now));
}

/** The same inside a caller's transaction (mail intake opens a case and settles the inbox row together). */
export async function openCaseIn(
  trx: Transaction<DB>, deps: AppDeps, input: OpenCaseInput, now: Date,
): Promise<OpenedCase> {
  if (input.sourceKey) {
    const existing = await findCaseBySource(trx, input.sourceKey);
    if (existing) return { case: existing, deadlines: await getDeadlines(trx, existing.id), created: false };
  }
  const { config } = deps;
  const wf = input.workflow ? deps.workflows.get(input.workflow) : deps.workflows[input.kind as 'request' | 'breach'];
  if (!wf || wf.kind !== input.kind) throw new RangeError(`no ${input.kind} workflow ${input.workflow ?? ''}`.trim());
  const triage = Boolean(input.triage) && input.kind === 'request';
  const receivedDate = dateInZone(input.receivedAt, config.org.timezone);
  const year = Number(receivedDate.slice(0, 4));
  const prefix = prefixOf(wf);
  const seq = await nextSequence(trx, prefix, year);
  const draft: Case = {
    id: deps.newId(), number: formatCaseNumber(prefix, year, seq),
    sourceKey: input.sourceKey ?? null, kind: input.kind, state: triage ? TRIAGE_STATE : wf.initial, workflow: wf.id,
    facts: input.facts ?? {}, clockFrom: null,
    requestTypes: input.kind === 'request' ? [...(input.requestTypes ?? [])] : [],
    regimes: input.regimes ?? (input.kind === 'breach'
      ? [config.org.role === 'processor' ? 'processor-breach' : 'gdpr-breach']
      : input.kind === 'obligation' ? ['contract'] : [...config.org.regimes]),
    role: config.org.role, owner: input.owner ?? null, language: input.language ?? config.org.defaultLanguage,
    channel: input.channel, receivedAt: input.receivedAt, receivedDate, detectedAt: input.detectedAt ?? null,
    awareAt: input.kind === 'breach' ? input.awareAt ?? input.receivedAt : null, governingRegime: null,
    governingDueAt: null, identityVerifiedAt: null, extension: null, legalHold: false, deliveryFailures: 0,
    outcome: null, closedAt: null, createdAt: now, updatedAt: now, version: 1,
  };
  const priv: CasePrivate = {
    requesterEmail: input.requester?.email ?? null, requesterName: input.requester?.name ?? null,
    requesterVerified: input.requester?.verified ?? false, requesterAddress: input.requester?.address ?? null,
    subject: input.subject ?? null, content: input.content ?? null, redactedAt: null,
  };
  const deadlines = caseDeadlines(deps, draft, [], now);
  const { case: c, audit: clockEvents } = withDeadlines(draft, deadlines, input.actor.id, now);
  await insertCase(trx, c, priv);
  await saveDeadlines(trx, c.id, deadlines, now);
  await replanReminders(trx, deps, c, deadlines, now, { fresh: true });
  for (const id of new Set(input.messageIds ?? [])) await recordCaseMessage(trx, c.id, id, 'in', now);
  const opened = {
    caseId: c.id, type: 'CaseOpened', actor: input.actor.id, at: now,
    data: {
      number: c.number, kind: c.kind, workflow: c.workflow, requestTypes: c.requestTypes, regimes: c.regimes,
      role: c.role,
      channel: c.channel, receivedAt: c.receivedAt.toISOString(), receivedDate, language: c.language,
      awareAt: c.awareAt?.toISOString() ?? null, awareRationale: input.awareRationale ?? null,
      requesterVerified: priv.requesterVerified,
    },
  };
  const mail = c.kind === 'request' && c.role === 'controller' && !triage
    ? mailToRequester(deps, { case: c, private: priv, deadlines, templates: ['acknowledgement'], fields: {},
      key: `${c.id}:opened`, actor: input.actor.id, now, thread: await threadOf(trx, c.id),
      withheld: await automaticMailWithheld(trx, deps, priv.requesterEmail, now) })
    : { outbox: [], audit: [] };
  await countAutomaticMail(trx, deps, mail, now);
  const notice = caseNotice(deps, c, 'case-opened', `${c.id}:opened:notice`, now);
  await persistEffects(trx, { outbox: [notice, ...mail.outbox], audit: [opened, ...clockEvents, ...mail.audit] }, now);
  return { case: c, deadlines, created: true };
}

/**
 * Opens a case entered by a person (Slack, the CLI) — once per source (`slack:view:<id>`, `cli:<key>`) — and records
 * how it reached the organisation (phone, letter…) and who typed it in, in the same transaction.
 */
export async function openCaseRecorded(
  deps: AppDeps, input: OpenCaseInput, intake: Record<string, string | number | boolean | string[] | null>, now: Date,
): Promise<OpenedCase> {
  try {
    return await deps.database.db.transaction().execute(async (trx) => {
      const opened = await openCaseIn(trx, deps, input, now);
      if (opened.created) {
        await appendAudit(trx, [{
          caseId: opened.case.id, type: 'IntakeRecorded', actor: input.actor.id, at: now, data: intake,
        }]);
      }
      return opened;
    });
  } catch (e) {
    // Two submissions at the same moment (PostgreSQL): the second one's insert hits the unique source key.
    const existing = input.sourceKey ? await findCaseBySource(deps.database.db, input.sourceKey) : null;
    if (!existing) throw e;
    return { case: existing, deadlines: await getDeadlines(deps.database.db, existing.id), created: false };
  }
}
