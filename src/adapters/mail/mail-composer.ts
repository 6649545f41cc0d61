/**
 * Renders a templated mail for the outbox: the template context from the case (org, case dates, requester's
 * name) plus the event's fields; our signed Message-ID; loop-prevention headers on automatic mail (RFC 3834).
 */
import type { ComposedMail, MailComposer, MailRequest } from '../../app/ports.ts';
import type { Config } from '../../config.ts';
import { governingDeadline } from '../../domain/deadlines/deadline.ts';
import { signedMessageId } from '../../domain/message-id.ts';
import { isTemplateName } from '../templates/template-catalog.ts';
import type { MailRenderer } from '../templates/mail-renderer.ts';

/** Our loop header: a mail carrying it is our own and never opens a case. */
export const LOOP_HEADER = 'X-DPO-Desk-Loop';

/** Mails sent without a person pressing "send" (RFC 3834 §5: auto-replied for answers to a message). */
const AUTOMATIC: Record<string, 'auto-replied' | 'auto-generated'> = {
  acknowledgement: 'auto-replied',
  'processor-acknowledgement': 'auto-replied',
  'dpo-alert': 'auto-generated',
};

export function createMailComposer(renderer: MailRenderer, config: Config): MailComposer {
  const domain = config.mail.from.split('@')[1]!;
  return {
    compose(req: MailRequest): ComposedMail {
      const lang = req.case.language;
      if (!isTemplateName(req.template) && !renderer.has(req.template, lang)) throw new Error(`unknown mail template ${req.template}`);
      const rendered = renderer.render(req.template, lang, contextFor(req, config) as never);
      const messageId = signedMessageId(config.mail.signingSecret, req.case.number, req.outboxId, domain);
      const headers: Record<string, string> = { [LOOP_HEADER]: req.case.number };
      const auto = AUTOMATIC[req.template];
      if (auto) {
        headers['Auto-Submitted'] = auto;
        headers['X-Auto-Response-Suppress'] = 'All';
      }
      return { to: req.to, subject: rendered.subject, text: rendered.text, html: rendered.html, messageId, headers };
    },
    composeInternal({ template, context, to, caseNumber, outboxId }): ComposedMail {
      if (!isTemplateName(template)) throw new Error(`unknown mail template ${template}`);
      const rendered = renderer.render(template, config.org.defaultLanguage, {
        org: { name: config.org.name, dpoEmail: config.org.dpoEmail }, ...context,
      } as never);
      const messageId = signedMessageId(config.mail.signingSecret, caseNumber ?? 'DPO-0000-0000', outboxId, domain);
      const headers = { [LOOP_HEADER]: caseNumber ?? 'alert', 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };
      return { to, subject: rendered.subject, text: rendered.text, html: rendered.html, messageId, headers };
    },
  };
}

function contextFor(req: MailRequest, config: Config): Record<string, unknown> {
  const governing = governingDeadline(req.deadlines);
  // Several clocks (e.g. gdpr and a contractual promise): the extension speaks of the statutory clock it extends.
  const extendable = governingDeadline(req.deadlines.filter((d) => d.extendedDue));
  const f = req.fields;
  return {
    org: { name: config.org.name, dpoEmail: config.org.dpoEmail },
    case: {
      number: req.case.number, receivedDate: req.case.receivedDate,
      dueDate: (req.template === 'extension-notice' ? extendable?.due : governing?.due) ?? req.case.receivedDate,
      ...(extendable?.extendedDue ? { extendedDue: extendable.extendedDue } : {}),
    },
    ...(isTemplateName(req.template) ? {} : { facts: req.case.facts }),
    requester: req.private.requesterName ? { name: req.private.requesterName } : {},
    request: { types: req.case.requestTypes },
    response: { window: responseWindow(governing?.regime, config) },
    ...f,
    ...(typeof f.reasons === 'string' ? { reasons: [f.reasons] } : {}),
  };
}

/** The response window stated in an acknowledgement, by the governing clock (gdpr-rules §§2-3). */
function responseWindow(regime: string | undefined, config: Config) {
  switch (regime) {
    case 'ccpa': return { amount: 45, unit: 'days' };
    case 'lgpd': return { amount: 15, unit: 'days' };
    case 'contract':
      return { amount: config.clocks.contractDays, unit: config.clocks.contractUnit === 'business' ? 'business_days' : 'days' };
    default: return { amount: 1, unit: 'months' };
  }
}
