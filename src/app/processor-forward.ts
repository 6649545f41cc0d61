/**
 * Processor role (GDPR Art. 28(3)(e), the typical DPA): a data subject's request naming a customer is forwarded
 * promptly to that customer — the controller — with the original attached, and the data subject only gets an
 * acknowledgement of receipt. A request naming no configured customer goes to triage.
 */
import type { Transaction } from 'kysely';
import { getDeadlines, getPrivate } from '../adapters/db/case-repository.ts';
import type { InboxRow } from '../adapters/db/mail-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Case } from '../domain/case.ts';
import type { Understanding } from '../domain/intake/understanding.ts';
import { customerNamed, type Customer } from '../domain/breach/customers.ts';
import { customersForRequests } from './breach/customers.ts';
import { caseNotice, mailToRequester, type Effects } from './compose-mail.ts';
import type { AppDeps } from './deps.ts';
import { automaticMailWithheld, countAutomaticMail } from './mail-cap.ts';

/**
 * The customer a request names (stored customers, else the PROCESSOR_CONTROLLERS mapping) and the controller
 * address its requests go to.
 */
export function controllerFor(customers: readonly Customer[], m: Understanding): { customer: string; address: string } | null {
  const named = customerNamed(customers, m.requester?.email ?? '', `${m.original.subject}\n${m.original.text}`);
  return named?.requestAddress ? { customer: named.name, address: named.requestAddress } : null;
}

export async function processorEffects(
  trx: Transaction<DB>, deps: AppDeps, c: Case, row: InboxRow, m: Understanding, now: Date,
): Promise<Effects> {
  const target = controllerFor(await customersForRequests(trx, deps.config), m);
  if (!target) {
    return {
      outbox: [caseNotice(deps, c, 'controller-unknown', `${c.id}:controller-unknown`, now)],
      audit: [{ caseId: c.id, type: 'ControllerUnknown', actor: 'system', at: now, data: { inbox: row.id } }],
    };
  }
  const priv = (await getPrivate(trx, c.id))!;
  const deadlines = await getDeadlines(trx, c.id);
  const base = { case: c, private: priv, deadlines, actor: 'system', now };
  const forward = mailToRequester(deps, {
    ...base, templates: ['processor-forward'], key: `${c.id}:forward`, to: target.address,
    fields: {
      controller: { name: target.customer }, dpa: { reference: 'our data processing agreement' },
      original: { filename: `${c.number}-original.eml`, description: 'the data subject\'s message as received' },
    },
    attachments: [{ filename: `${c.number}-original.eml`, contentType: 'message/rfc822', contentBase64: Buffer.from(row.raw).toString('base64') }],
  });
  const ack = mailToRequester(deps, {
    ...base, templates: ['processor-acknowledgement'], key: `${c.id}:processor-ack`,
    fields: { controller: { name: target.customer } },
    withheld: await automaticMailWithheld(trx, deps, priv.requesterEmail, now),
  });
  await countAutomaticMail(trx, deps, ack, now);
  return {
    outbox: [...forward.outbox, ...ack.outbox],
    audit: [
      { caseId: c.id, type: 'ForwardedToController', actor: 'system', at: now, data: { customer: target.customer } },
      ...forward.audit, ...ack.audit,
    ],
  };
}
