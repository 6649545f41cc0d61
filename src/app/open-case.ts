/**
 * Opening a case: number, facts, private data, clocks, audit events and outbox effects — in one transaction.
 * The same source (a Message-ID, a Slack view) never opens two cases.
 */
import type { Transaction } from 'kysely';
import type { DB } from '../adapters/db/schema.ts';
import { findCaseBySource, getDeadlines, insertCase, nextSequence, saveDeadlines } from '../adapters/db/case-repository.ts';
import { formatCaseNumber, type Case, type CasePrivate, type Channel } from '../domain/case.ts';
import type { Deadline } from '../domain/deadlines/deadline.ts';
import { dateInZone } from '../domain/local-date.ts';
import { CASE_PREFIX, type CaseKind, type Language, type RegimeId, type RequestType } from '../domain/vocabulary.ts';
import { caseDeadlines, withDeadlines } from './case-clocks.ts';
import { caseNotice, mailToRequester } from './compose-mail.ts';
import type { Actor, AppDeps } from './deps.ts';
import { replanReminders } from './plan-reminders.ts';
import { recordCaseMessage, threadOf } from '../adapters/db/mail-repository.ts';
import { automaticMailWithheld, countAutomaticMail, persistEffects } from './effects.ts';

export interface OpenCaseInput {
  kind: CaseKind;
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
export async function openCaseIn(trx: Transaction<DB>, deps: AppDeps, input: OpenCaseInput, now: Date): Promise<OpenedCase> {
  if (input.sourceKey) {
    const existing = await findCaseBySource(trx, input.sourceKey);
    if (existing) return { case: existing, deadlines: await getDeadlines(trx, existing.id), created: false };
  }
  const { config } = deps;
  const triage = Boolean(input.triage) && input.kind === 'request';
  const receivedDate = dateInZone(input.receivedAt, config.org.timezone);
  const seq = await nextSequence(trx, CASE_PREFIX[input.kind], Number(receivedDate.slice(0, 4)));
  const draft: Case = {
    id: deps.newId(), number: formatCaseNumber(input.kind, Number(receivedDate.slice(0, 4)), seq),
    sourceKey: input.sourceKey ?? null, kind: input.kind, state: triage ? TRIAGE_STATE : deps.workflows[input.kind].initial,
    requestTypes: input.kind === 'request' ? [...(input.requestTypes ?? [])] : [],
    regimes: input.regimes ?? (input.kind === 'breach'
      ? [config.org.role === 'processor' ? 'processor-breach' : 'gdpr-breach'] : [...config.org.regimes]),
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
      number: c.number, kind: c.kind, requestTypes: c.requestTypes, regimes: c.regimes, role: c.role,
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
