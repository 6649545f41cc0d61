/**
 * Where an understood message goes, decided inside the intake transaction: quarantine, evidence on a case
 * (auto-replies, bounces of our mail — never reopening or answering anything), a reply joined to its case
 * (resuming a paused clock), a new case, or nowhere.
 */
import type { Transaction } from 'kysely';
import { linkCases, updateCase } from '../adapters/db/case-repository.ts';
import { addParticipant, recordCaseMessage, type InboxRow } from '../adapters/db/mail-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Case } from '../domain/case.ts';
import { intakeDecision } from '../domain/intake/intake-decision.ts';
import { languageNote } from '../domain/intake/language.ts';
import type { Understanding, UnderstandResult } from '../domain/intake/understanding.ts';
import { recordCaseEventIn } from './apply-event.ts';
import { caseNotice, dpoAlert, type Effects } from './compose-mail.ts';
import type { AppDeps } from './deps.ts';
import { persistEffects } from './persist-effects.ts';
import { caseOfBounce, findThread } from './mail-threading.ts';
import { openCaseIn } from './open-case.ts';
import { processorEffects } from './processor-forward.ts';

export interface Routed {
  state: 'processed' | 'quarantined' | 'ignored';
  action: 'create' | 'attach' | 'ignore' | 'quarantine';
  reason: string | null;
  caseId: string | null;
}

const SYSTEM = { id: 'system', role: 'system' as const };

export async function routeMail(
  trx: Transaction<DB>, deps: AppDeps, row: InboxRow, u: UnderstandResult, now: Date,
): Promise<Routed> {
  if (!u.ok) return quarantine(trx, deps, row, `${u.reason}: ${u.detail}`, now);
  const m = u.value;
  if (m.auto === 'own_loop' || m.auto === 'list') return ignored(m.auto);
  if (m.auto === 'bounce') return bounce(trx, deps, row, m, now);
  const thread = await findThread(trx, deps.config.mail.signingSecret, m);
  if (m.auto !== 'human') {
    if (!thread || !('case' in thread)) return ignored(m.auto);
    await evidence(trx, deps, thread.case, row, 'AutoReplyAttached', { auto: m.auto, autoReason: m.autoReason }, now);
    return { state: 'processed', action: 'attach', reason: m.auto, caseId: thread.case.id };
  }
  if (thread && 'case' in thread) return reply(trx, deps, thread.case, thread.via, row, m, now);
  // Only automatic mail is ignored (above); every person's mail opens a typed or a triage case (intake-decision.ts).
  const decision = intakeDecision(u);
  return create(trx, deps, row, m, thread && 'related' in thread ? thread.related : null, decision.reason, now);
}

function ignored(reason: string): Routed {
  return { state: 'ignored', action: 'ignore', reason, caseId: null };
}

/** A poison message: raw bytes kept, reason recorded, the DPO alerted — and the next message goes on. */
export async function quarantine(
  trx: Transaction<DB>, deps: AppDeps, row: InboxRow, reason: string, now: Date,
): Promise<Routed> {
  await persistEffects(trx, {
    outbox: dpoAlert(deps, {
      caseId: null, caseNumber: null, deliveryFailed: false, key: `${row.id}:quarantined`,
      reason: `a message was quarantined: ${reason}`,
    }, now),
    audit: [{ caseId: null, type: 'MailQuarantined', actor: 'system', at: now, data: { inbox: row.id, reason } }],
  }, now);
  return { state: 'quarantined', action: 'quarantine', reason, caseId: null };
}

/** A bounce of our own mail is a delivery failure on the case it was about. */
async function bounce(
  trx: Transaction<DB>, deps: AppDeps, row: InboxRow, m: Understanding, now: Date,
): Promise<Routed> {
  const c = await caseOfBounce(trx, m.bouncedMessageId);
  if (!c) return ignored('bounce');
  await updateCase(trx, { ...c, deliveryFailures: c.deliveryFailures + 1, updatedAt: now });
  await evidence(trx, deps, c, row, 'MailBounced', { bouncedMessageId: m.bouncedMessageId }, now, dpoAlert(deps, {
    caseId: c.id, caseNumber: c.number, deliveryFailed: true, key: `${row.id}:bounced`,
    reason: 'a mail to the data subject bounced',
  }, now));
  return { state: 'processed', action: 'attach', reason: 'bounce', caseId: c.id };
}

async function evidence(
  trx: Transaction<DB>, deps: AppDeps, c: Case, row: InboxRow, type: string, data: Record<string, unknown>, now: Date,
  outbox: Effects['outbox'] = [],
) {
  await persistEffects(trx, {
    outbox, audit: [{ caseId: c.id, type, actor: 'system', at: now, data: { inbox: row.id, ...data } }],
  }, now);
}

/** A person's reply on a case: filed; a paused clock resumes (EDPB 01/2022 §159); a closed case is not reopened. */
async function reply(
  trx: Transaction<DB>, deps: AppDeps, c: Case, via: string, row: InboxRow, m: Understanding, now: Date,
): Promise<Routed> {
  if (m.messageId) await recordCaseMessage(trx, c.id, m.messageId, 'in', now);
  const paused = deps.workflows.of(c).states[c.state]?.clock === 'paused';
  const closed = Boolean(deps.workflows.of(c).states[c.state]?.final);
  await persistEffects(trx, {
    outbox: paused
      ? []
      : [caseNotice(deps, c, closed ? 'reply-on-closed-case' : 'reply-received', `${row.id}:reply`, now)],
    audit: [{ caseId: c.id, type: 'MailReceived', actor: 'system', at: now, data: { inbox: row.id, via, closed } }],
  }, now);
  if (paused) {
    const resumed = await recordCaseEventIn(trx, deps, {
      caseNumber: c.number, type: 'SubjectReplied', actor: SYSTEM, key: `${row.id}:resumed`,
    }, now);
    if (!resumed.ok) deps.log.warn({ case: c.number, code: resumed.code }, 'reply did not resume the clock');
  }
  return { state: 'processed', action: 'attach', reason: null, caseId: c.id };
}

async function create(
  trx: Transaction<DB>, deps: AppDeps, row: InboxRow, m: Understanding, related: Case | null, reason: string | null,
  now: Date,
): Promise<Routed> {
  const triage = reason === 'triage';
  const kind = m.kind === 'breach' && !triage ? 'breach' : 'request';
  const opened = await openCaseIn(trx, deps, {
    kind, triage, requestTypes: triage ? [] : m.requestTypes, language: m.language, channel: 'mail',
    receivedAt: m.receivedAt,
    awareRationale: kind === 'breach' ? 'defaulted to the receipt of the report by mail; confirm' : null,
    requester: m.requester, subject: m.original.subject, content: m.original.text, sourceKey: `mail:${row.dedupeKey}`,
    messageIds: [m.original.messageId, m.messageId].filter((x): x is string => Boolean(x)), actor: SYSTEM,
  }, now);
  const c = opened.case;
  if (m.requester) await addParticipant(trx, c.id, m.requester.email, 'requester');
  if (m.forward?.forwardedBy) await addParticipant(trx, c.id, m.forward.forwardedBy, 'forwarder');
  if (related) await linkCases(trx, c.id, related.id, 'possibly_related', now);
  const fx = c.role === 'processor' && kind === 'request' && !triage
    ? await processorEffects(trx, deps, c, row, m, now)
    : { outbox: [], audit: [] };
  await persistEffects(trx, {
    outbox: fx.outbox,
    audit: [...fx.audit, {
      caseId: c.id, type: 'MailFiled', actor: 'system', at: now,
      data: {
        inbox: row.id, forward: m.forward?.kind ?? null, requesterVerified: m.requester?.verified ?? null,
        language: m.language, detectedLanguage: m.detectedLanguage, languageNote: languageNote(m.detectedLanguage),
        triage, kind: m.kind, requestTypes: m.requestTypes, confidence: m.confidence, matched: m.matched,
        receiptSource: m.receiptSource, relatedTo: related?.number ?? null,
      },
    }],
  }, now);
  return { state: 'processed', action: 'create', reason, caseId: c.id };
}

