/**
 * What each breach decision records and sends, inside the case's transaction: assess, not a breach / not
 * notifiable, authority notified (a phase, with the drafted text, the authority's reference, reasons when late),
 * customers alerted (processor role: the DPA's facts at each security address, supplements after), the Art. 34
 * decision, the people told. Each step reads the register entry, decides with the pure rules, saves, and returns
 * the effects (outbox rows, audit events) for the caller to persist. None moves the case's state.
 */
import type { Transaction } from 'kysely';
import {
  addNotification,
  getRecord,
  listNotifications,
  listRecipients,
  saveRecord,
  setRecipientOutbox,
} from '../../adapters/db/breach-repository.ts';
import { dropCustomerReminders, linkedCustomers, markAlerted } from '../../adapters/db/customer-repository.ts';
import { getDeadlines, getPrivate } from '../../adapters/db/case-repository.ts';
import type { DB } from '../../adapters/db/schema.ts';
import {
  assess,
  decide,
  decideSubjects,
  mergeFacts,
  type BreachFacts,
  type Change,
} from '../../domain/breach/breach-record.ts';
import { alertAddress } from '../../domain/breach/customers.ts';
import { authorityDraft, customerAlertFields, subjectNoticeFields } from '../../domain/breach/drafts.ts';
import { checkAuthorityNotification, customerDueAt } from '../../domain/breach/notification-rules.ts';
import { notBefore } from '../../domain/breach/recipients.ts';
import type { Case } from '../../domain/case.ts';
import { dateInZone } from '../../domain/local-date.ts';
import type { Language } from '../../domain/vocabulary.ts';
import { mailToRequester, noEffects, type Effects } from '../compose-mail.ts';
import type { Actor, AppDeps, Result } from '../deps.ts';
import type { DocumentRenderer } from '../../adapters/templates/document-renderer.ts';

export interface StepContext {
  trx: Transaction<DB>;
  deps: AppDeps;
  case: Case;
  actor: Actor;
  fields: Record<string, unknown>;
  /** The delivery's key: effects are keyed by it, so a retry queues nothing twice. */
  key: string;
  now: Date;
}

export type StepResult = Result<{ effects: Effects; summary: string }>;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined;
/** A list field: an array, or text with one item per line or separated by `;`. */
export const listOf = (v: unknown): string[] | undefined => {
  const xs = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/\n|;/) : [];
  const out = xs.map((x) => x.trim()).filter(Boolean);
  return out.length ? out : undefined;
};
const refuse = (code: string, message: string) => ({ ok: false as const, code, message });
const breachOnly = (c: Case) =>
  c.kind === 'breach' ? null : refuse('NOT_A_BREACH_CASE', `${c.number} is not a breach case.`);

/** The facts a step's fields carry (`nature`, `subject_categories`, `measures`…). */
export function factsFrom(f: Record<string, unknown>): BreachFacts {
  const contained = str(f.contained);
  return {
    description: str(f.description),
    nature: str(f.nature),
    subjectCategories: listOf(f.subject_categories),
    subjectsApprox: str(f.subjects_approx),
    recordCategories: listOf(f.record_categories),
    recordsApprox: str(f.records_approx),
    consequences: str(f.consequences),
    measures: listOf(f.measures),
    contained: contained === 'yes' || contained === 'no' || contained === 'unknown' ? contained : undefined,
  };
}

async function saveChange(
  ctx: StepContext,
  change: Change,
  type: string,
  data: Record<string, unknown>,
  summary: string,
): Promise<StepResult> {
  if (!change.ok) return change;
  await saveRecord(ctx.trx, ctx.case.id, change.record, ctx.now);
  return {
    ok: true,
    summary,
    effects: { outbox: [], audit: [{ caseId: ctx.case.id, type, actor: ctx.actor.id, at: ctx.now, data }] },
  };
}

/** Assessed: the facts known now and the risk with reasons (Art. 33(1), 33(5)). */
export async function assessStep(ctx: StepContext): Promise<StepResult> {
  const wrong = breachOnly(ctx.case);
  if (wrong) return wrong;
  const risk = str(ctx.fields.risk) ?? '';
  const change = assess(await getRecord(ctx.trx, ctx.case.id), {
    facts: factsFrom(ctx.fields),
    risk,
    reasons: str(ctx.fields.reasons) ?? '',
    by: ctx.actor.id,
    at: ctx.now,
    awareRationale: str(ctx.fields.aware_rationale),
  });
  return saveChange(
    ctx,
    change,
    'BreachAssessed',
    { risk, reasons: str(ctx.fields.reasons) },
    `risk assessed as ${risk}`,
  );
}

/** "Not a breach" (e.g. blocked login attempts) or "not notifiable": the decision and reasons stay in the register. */
export function decisionStep(kind: 'not_a_breach' | 'not_notifiable') {
  return async (ctx: StepContext): Promise<StepResult> => {
    const wrong = breachOnly(ctx.case);
    if (wrong) return wrong;
    const reasons = str(ctx.fields.reasons) ?? '';
    const change = decide(await getRecord(ctx.trx, ctx.case.id), kind, reasons, ctx.actor.id, ctx.now);
    return saveChange(
      ctx,
      change,
      kind === 'not_a_breach' ? 'DecidedNotABreach' : 'DecidedNotNotifiable',
      { reasons },
      kind === 'not_a_breach' ? 'recorded as not a breach' : 'recorded as not notifiable',
    );
  };
}

/**
 * AuthorityNotified (controller): records a phase with the text given — drafted from the facts in the DPO's
 * language — the instant, the authority's reference and, after 72 hours, the reasons for the delay (Art. 33(1)).
 */
/** The Art. 33(3) notification drafted from the recorded facts, in `lang` (the step records it; the CLI prints it). */
export function renderAuthorityDraft(
  documents: DocumentRenderer, deps: Pick<AppDeps, 'config'>, c: Case, record: Parameters<typeof authorityDraft>[0]['record'],
  o: { lang: Language; phase: string; at: Date; reference?: string | null; lateReasons?: string | null },
) {
  const { org } = deps.config;
  const facts = { number: c.number, detectedAt: c.detectedAt, awareAt: c.awareAt ?? c.receivedAt, zone: org.timezone };
  return documents.render('authority-notification', o.lang, authorityDraft({ org, c: facts, record, ...o }));
}

export function authorityStep(documents: DocumentRenderer) {
  return async (ctx: StepContext): Promise<StepResult> => {
    const { case: c, deps, now } = ctx;
    const wrong = breachOnly(c);
    if (wrong) return wrong;
    const phase = str(ctx.fields.phase) ?? 'initial';
    const at = str(ctx.fields.notified_at) ? new Date(str(ctx.fields.notified_at)!) : now;
    if (Number.isNaN(at.getTime()) || at.getTime() > now.getTime())
      return refuse('AT_INVALID', 'notified_at must be a past instant (ISO 8601).');
    const lateReasons = str(ctx.fields.late_reasons) ?? null;
    const previous = (await listNotifications(ctx.trx, c.id))
      .filter((n) => n.audience === 'authority')
      .map((n) => n.phase);
    const check = checkAuthorityNotification({
      role: c.role,
      awareAt: c.awareAt ?? c.receivedAt,
      at,
      phase,
      lateReasons,
      previousPhases: previous,
    });
    if (!check.ok) return check;
    const record = await getRecord(ctx.trx, c.id);
    const lang = deps.config.org.defaultLanguage;
    const reference = str(ctx.fields.reference) ?? null;
    const doc = renderAuthorityDraft(documents, deps, c, record, { lang, phase, at, reference, lateReasons });
    await addNotification(ctx.trx, {
      id: deps.newId(),
      caseId: c.id,
      audience: 'authority',
      customerId: null,
      phase,
      at,
      reference,
      lateReasons,
      by: ctx.actor.id,
      given: { language: lang, markdown: doc.markdown },
    });
    return {
      ok: true,
      summary: `authority notification (${phase}) recorded${check.late ? ' with reasons for the delay' : ''}`,
      effects: {
        outbox: [],
        audit: [
          {
            caseId: c.id,
            type: 'AuthorityNotificationRecorded',
            actor: ctx.actor.id,
            at: now,
            data: { phase, late: check.late, reference, notifiedAt: at.toISOString() },
          },
        ],
      },
    };
  };
}

/**
 * CustomerNotified (processor, Art. 33(2) and the DPA): each linked customer gets the `incident-notice` at its
 * security address in its language — the first alert, then numbered supplements with the facts confirmed since.
 * After a customer's notice hours the alert needs `late_reasons`. `customers` limits it to some customers.
 */
export async function customersStep(ctx: StepContext): Promise<StepResult> {
  const { case: c, deps, now } = ctx;
  const wrong = breachOnly(c);
  if (wrong) return wrong;
  if (c.role !== 'processor')
    return refuse(
      'CONTROLLER_ROLE',
      "Customer alerts are the processor's (Art. 33(2)); as controller, notify the authority.",
    );
  const only = listOf(ctx.fields.customers);
  const linked = (await linkedCustomers(ctx.trx, c.id)).filter((l) => !only || only.includes(l.customer.id));
  if (!linked.length)
    return refuse('NO_CUSTOMERS', `Link the affected customers first: dpo-desk breach link ${c.number} <customer-id>…`);
  const awareAt = c.awareAt ?? c.receivedAt;
  const delayReason = str(ctx.fields.late_reasons);
  const late = linked.filter(
    (l) => !l.alertedAt && now.getTime() > customerDueAt(awareAt, l.customer.noticeHours).getTime(),
  );
  if (late.length && !delayReason) {
    return refuse(
      'LATE_REASONS_REQUIRED',
      `Past the notice hours of ${late.map((l) => l.customer.name).join(', ')}: `
        + 'give the reasons for the delay in late_reasons.',
    );
  }
  const noAddress = linked.filter((l) => !alertAddress(l.customer));
  if (noAddress.length)
    return refuse(
      'NO_SECURITY_ADDRESS',
      `No security-notification or request address for ${noAddress.map((l) => l.customer.id).join(', ')}: `
        + 'dpo-desk customers set <id> --security-address …',
    );
  // A supplement carries the facts confirmed since (the DPA: "supplement this information as facts are confirmed").
  const before = await getRecord(ctx.trx, c.id);
  const record = { ...before, facts: mergeFacts(before.facts, factsFrom(ctx.fields)) };
  await saveRecord(ctx.trx, c.id, record, now);
  const previous = await listNotifications(ctx.trx, c.id);
  const priv = (await getPrivate(ctx.trx, c.id))!;
  const deadlines = await getDeadlines(ctx.trx, c.id);
  const fx = noEffects();
  for (const l of linked) {
    const before = previous.filter((n) => n.audience === 'customer' && n.customerId === l.customer.id);
    const phase = before.length ? `supplement-${before.length}` : 'initial';
    const lang: Language = l.customer.language;
    const fields = customerAlertFields({
      org: deps.config.org,
      c: { number: c.number, detectedAt: c.detectedAt, awareAt, zone: deps.config.org.timezone },
      record,
      lang,
      customerName: l.customer.name,
      delayReason: late.includes(l) ? delayReason : null,
      supplement: before.length
        ? { number: before.length, previousNoticeDate: dateInZone(before.at(-1)!.at, deps.config.org.timezone) }
        : null,
    });
    const mail = mailToRequester(deps, {
      case: { ...c, language: lang },
      private: priv,
      deadlines,
      templates: ['incident-notice'],
      fields,
      key: `${c.id}:customer:${l.customer.id}:${phase}`,
      actor: ctx.actor.id,
      now,
      to: alertAddress(l.customer)!,
    });
    fx.outbox.push(...mail.outbox);
    fx.audit.push(...mail.audit, {
      caseId: c.id,
      type: 'CustomerAlerted',
      actor: ctx.actor.id,
      at: now,
      data: { customer: l.customer.id, phase },
    });
    if (!mail.outbox.length)
      return refuse('MAIL_NOT_QUEUED', 'No mail could be queued (no mail composer configured): nothing was recorded.');
    await addNotification(ctx.trx, {
      id: deps.newId(),
      caseId: c.id,
      audience: 'customer',
      customerId: l.customer.id,
      phase,
      at: now,
      reference: null,
      lateReasons: late.includes(l) ? delayReason! : null,
      by: ctx.actor.id,
      given: { language: lang, outboxId: mail.outbox[0]!.id, to: alertAddress(l.customer) },
    });
    await markAlerted(ctx.trx, c.id, l.customer.id, now);
    await dropCustomerReminders(ctx.trx, c.id, l.customer.id);
  }
  return { ok: true, effects: fx, summary: `alert queued to ${linked.map((l) => l.customer.name).join(', ')}` };
}

/** SubjectsNotificationDecided (Art. 34): communicate, or exempt with ground a/b/c (c: the public communication). */
export async function subjectsDecisionStep(ctx: StepContext): Promise<StepResult> {
  const wrong = breachOnly(ctx.case);
  if (wrong) return wrong;
  if (ctx.case.role === 'processor')
    return refuse(
      'PROCESSOR_ROLE',
      "Telling the data subjects is the controller's decision (Art. 34); alert the customer.",
    );
  const decision = str(ctx.fields.decision) ?? '';
  const change = decideSubjects(await getRecord(ctx.trx, ctx.case.id), {
    decision,
    ground: str(ctx.fields.ground),
    reasons: str(ctx.fields.reasons) ?? '',
    publicText: str(ctx.fields.public_text),
    by: ctx.actor.id,
    at: ctx.now,
  });
  if (change.ok && change.record.subjects?.publicText) {
    await addNotification(ctx.trx, {
      id: ctx.deps.newId(),
      caseId: ctx.case.id,
      audience: 'public',
      customerId: null,
      phase: 'public',
      at: ctx.now,
      reference: null,
      lateReasons: null,
      by: ctx.actor.id,
      given: { text: change.record.subjects.publicText },
    });
  }
  const ground = change.ok ? change.record.subjects?.ground : undefined;
  return saveChange(
    ctx,
    change,
    'SubjectsNotificationDecided',
    { decision, ground: ground ?? null },
    decision === 'communicate'
      ? 'decided to tell the people (Art. 34(1))'
      : `exempt from telling the people, ground (${ground})`,
  );
}

/**
 * SubjectsNotified (Art. 34): one notice per listed person, in their language, through the outbox at
 * `perMinute` notices a minute; people already sent a notice are not sent another.
 */
export function subjectsStep(perMinute: number) {
  return async (ctx: StepContext): Promise<StepResult> => {
    const { case: c, deps, now } = ctx;
    const wrong = breachOnly(c);
    if (wrong) return wrong;
    const record = await getRecord(ctx.trx, c.id);
    if (record.subjects?.decision !== 'communicate') {
      return refuse(
        'DECISION_REQUIRED',
        'Record the Art. 34 decision to communicate first (SubjectsNotificationDecided).',
      );
    }
    const notice = subjectNoticeFields(record, listOf(ctx.fields.recommendations) ?? []);
    if (!notice.ok) return refuse('FACTS_MISSING', notice.message);
    const todo = (await listRecipients(ctx.trx, c.id)).filter((r) => !r.outboxId);
    if (!todo.length)
      return refuse(
        'NO_RECIPIENTS',
        'No one on the list is waiting for a notice: add addresses (recipients_csv, or '
          + `dpo-desk breach recipients ${c.number} --file people.csv)`,
      );
    const priv = (await getPrivate(ctx.trx, c.id))!;
    const fx = noEffects();
    for (const [i, r] of todo.entries()) {
      const mail = mailToRequester(deps, {
        case: { ...c, language: r.language },
        private: { ...priv, requesterName: r.name },
        deadlines: [],
        templates: ['breach-subject-notice'],
        fields: notice.fields,
        key: `${c.id}:subject:${r.id}`,
        actor: ctx.actor.id,
        now,
        to: r.email,
      });
      const row = mail.outbox[0];
      if (!row)
        return refuse(
          'MAIL_NOT_QUEUED',
          'No mail could be queued (no mail composer configured): nothing was recorded.',
        );
      row.notBefore = notBefore(now, i, perMinute);
      fx.outbox.push(row);
      fx.audit.push(...mail.audit.map((a) => ({ ...a, data: { ...a.data, recipient: r.id } })));
      await setRecipientOutbox(ctx.trx, r.id, row.id);
    }
    await addNotification(ctx.trx, {
      id: deps.newId(),
      caseId: c.id,
      audience: 'subjects',
      customerId: null,
      phase: `batch-${now.toISOString()}`,
      at: now,
      reference: null,
      lateReasons: null,
      by: ctx.actor.id,
      given: { count: todo.length, languages: [...new Set(todo.map((r) => r.language))] },
    });
    const minutes = Math.ceil(todo.length / Math.max(1, perMinute));
    return {
      ok: true,
      effects: fx,
      summary: `${todo.length} notice(s) queued, ${perMinute} a minute (about ${minutes} min)`,
    };
  };
}
