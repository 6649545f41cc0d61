/**
 * Mail effects of a decision: templated mail rendered into outbox rows in the same transaction. A mail to the
 * data subject is withheld (and the withholding audited) when the address is unverified — recovered only from a
 * forwarded body — or missing: a forged "From:" line must never make dpo-desk send personal data anywhere.
 */
import type { NewAuditEvent } from '../adapters/db/audit-log.ts';
import type { NewOutboxRow } from '../adapters/db/outbox-repository.ts';
import type { Case, CasePrivate } from '../domain/case.ts';
import type { Deadline } from '../domain/deadlines/deadline.ts';
import type { AppDeps } from './deps.ts';
import type { CaseNoticePayload, ComposedMail, DpoAlertPayload, MailAttachment } from './ports.ts';

export type { ComposedMail, MailAttachment, MailComposer, MailRequest } from './ports.ts';

/** A template could not be filled from the case and the event's fields: the event is refused, nothing changes. */
export class MailContextError extends Error {
  constructor(readonly template: string, message: string) {
    super(message);
  }
}

export interface Effects {
  outbox: NewOutboxRow[];
  audit: NewAuditEvent[];
}

export function noEffects(): Effects {
  return { outbox: [], audit: [] };
}

/**
 * Templated mails for `templates` — to the data subject unless `to` names another recipient (a controller) —
 * or audited reasons why not.
 */
export function mailToRequester(
  deps: Pick<AppDeps, 'mail' | 'newId'>,
  args: { case: Case; private: CasePrivate; deadlines: readonly Deadline[]; templates: readonly string[];
    fields: Record<string, unknown>; key: string; actor: string; now: Date; onSent?: string | null;
    to?: string; withheld?: string | null; attachments?: MailAttachment[];
    thread?: { inReplyTo: string; references: string[] } | null },
): Effects {
  const fx = noEffects();
  const { case: c, private: p, now } = args;
  const recipient = args.to ?? p.requesterEmail;
  for (const template of args.templates) {
    const withheld = args.withheld ?? (!recipient ? 'no address for the data subject'
      : !args.to && !p.requesterVerified
        ? 'the address is unverified (recovered from a forwarded body); confirm it first'
        : !deps.mail ? 'no mail composer configured' : null);
    if (withheld) {
      fx.audit.push({
        caseId: c.id, type: 'MailWithheld', actor: args.actor, at: now, data: { template, reason: withheld },
      });
      continue;
    }
    const id = deps.newId();
    let mail: ComposedMail;
    try {
      mail = deps.mail!.compose({
        template, case: c, private: p, deadlines: args.deadlines, fields: args.fields, to: recipient!, outboxId: id,
      });
    } catch (e) {
      throw new MailContextError(template, (e as Error).message);
    }
    fx.outbox.push({
      id, caseId: c.id, channel: 'mail', kind: template, idempotencyKey: `${args.key}:${template}`,
      payload: {
        ...mail, caseNumber: c.number, ...(args.thread && !args.to ? args.thread : {}),
        ...(args.attachments?.length ? { attachments: args.attachments } : {}),
      },
      onSent: args.onSent ?? null, notBefore: now,
    });
    const files = args.attachments?.length ? { attachments: args.attachments.length } : {};
    fx.audit.push({
      caseId: c.id, type: 'MailQueued', actor: args.actor, at: now,
      data: { template, outboxId: id, messageId: mail.messageId, ...files },
    });
  }
  return fx;
}

/** A Slack notice about a case: number, kind, types, regime, due date, state — never identity or content. */
export function caseNotice(
  deps: Pick<AppDeps, 'newId'>, c: Case, kind: string, key: string, now: Date, extra: Record<string, unknown> = {},
): NewOutboxRow {
  return {
    id: deps.newId(), caseId: c.id, channel: 'slack', kind, idempotencyKey: key, notBefore: now,
    payload: {
      caseNumber: c.number, kind: c.kind, requestTypes: c.requestTypes, regime: c.governingRegime, state: c.state,
      owner: c.owner, dueAt: c.governingDueAt?.toISOString() ?? null, ...extra,
    } satisfies CaseNoticePayload,
  };
}

/**
 * An alert to the DPO by mail and Slack: the case number and the reason only — never the data subject's
 * identity. Keyed so that the same cause never alerts twice.
 */
export function dpoAlert(
  deps: Pick<AppDeps, 'mail' | 'newId' | 'config'>,
  a: { caseId: string | null; caseNumber: string | null; reason: string; deliveryFailed: boolean; key: string },
  now: Date,
): NewOutboxRow[] {
  const slack: NewOutboxRow = {
    id: deps.newId(), caseId: a.caseId, channel: 'slack', kind: 'dpo-alert', idempotencyKey: `${a.key}:slack`,
    notBefore: now,
    payload: { caseNumber: a.caseNumber, reason: a.reason, deliveryFailed: a.deliveryFailed } satisfies DpoAlertPayload,
  };
  if (!deps.mail) return [slack];
  const id = deps.newId();
  const mail = deps.mail.composeInternal({
    template: 'dpo-alert', to: deps.config.org.dpoEmail, caseNumber: a.caseNumber, outboxId: id,
    context: {
      ...(a.caseNumber ? { case: { number: a.caseNumber } } : {}),
      alert: { deliveryFailed: a.deliveryFailed, reason: a.reason },
    },
  });
  return [slack, {
    id, caseId: a.caseId, channel: 'mail', kind: 'dpo-alert', idempotencyKey: `${a.key}:mail`,
    payload: { ...mail, caseNumber: a.caseNumber }, notBefore: now,
  }];
}
