/**
 * A person confirms (or corrects) the data subject's address — the way out when intake recovered it from a
 * forwarded body and so withheld every mail. The acknowledgement withheld for that reason then goes, once, with its
 * original wording and due date (its outbox key is the one it would have had).
 */
import { appendAudit } from '../adapters/db/audit-log.ts';
import {
  getDeadlines, getPrivate, setRequesterAddress, updateCase, withheldMails,
} from '../adapters/db/case-repository.ts';
import { threadOf } from '../adapters/db/mail-repository.ts';
import { normalizeEmail } from '../domain/intake/addresses.ts';
import { onCase, type CommandInput, type CommandOutcome } from './case-actions.ts';
import { caseNotice, mailToRequester } from './compose-mail.ts';
import type { AppDeps } from './deps.ts';
import { persistEffects } from './persist-effects.ts';

/** Why a mail waited on the address (the composer's words): these catch up once it is confirmed. */
const WAITED_ON_ADDRESS = /unverified|no address/;

export function confirmRequester(
  deps: AppDeps, input: CommandInput & { address: string | null; how: 'slack' | 'cli' }, now: Date,
): Promise<CommandOutcome> {
  return onCase(deps, input, now, () => ({ action: 'confirm' }), async (trx, c) => {
    if (c.closedAt) return { ok: false, code: 'CASE_CLOSED', message: `${c.number} is closed.` };
    const before = await getPrivate(trx, c.id);
    if (!before) return { ok: false, code: 'NO_REQUESTER', message: `${c.number} has no data subject on file.` };
    const typed = input.address?.trim() ? normalizeEmail(input.address.trim()) : null;
    if (input.address?.trim() && !typed) {
      return { ok: false, code: 'ADDRESS_INVALID', message: `"${input.address}" is not an e-mail address.` };
    }
    const address = typed ?? before.requesterEmail;
    if (!address) {
      return {
        ok: false, code: 'ADDRESS_MISSING',
        message: `${c.number} has no address on file: give one, e.g. \`confirm ${c.number} name@example.com\`.`,
      };
    }
    if (before.requesterVerified && address === before.requesterEmail) {
      return {
        ok: false, code: 'ALREADY_CONFIRMED',
        message: `${c.number}: the address is already confirmed; nothing waits on it.`,
      };
    }
    await setRequesterAddress(trx, c.id, address);
    const saved = await updateCase(trx, { ...c, updatedAt: now });
    await appendAudit(trx, [{
      caseId: c.id, type: 'RequesterConfirmed', actor: input.actor.id, at: now,
      data: { how: input.how, corrected: address !== before.requesterEmail },
    }]);
    const waiting = [...new Set((await withheldMails(trx, c.id))
      .filter((w) => WAITED_ON_ADDRESS.test(w.reason))
      .map((w) => w.template))]
      .filter((t) => t === 'acknowledgement');
    const mail = waiting.length ? mailToRequester(deps, {
      case: saved, private: { ...before, requesterEmail: address, requesterVerified: true },
      deadlines: await getDeadlines(trx, c.id),
      templates: waiting, fields: {}, key: `${c.id}:opened`, actor: input.actor.id, now,
      thread: await threadOf(trx, c.id),
    }) : { outbox: [], audit: [] };
    const notice = caseNotice(deps, saved, 'case-updated', `${input.key}:confirmed`, now, {
      event: 'RequesterConfirmed', by: input.actor.id, done: 'the data subject\'s address was confirmed',
      ...(waiting.length ? { mailsQueued: mail.outbox.length } : {}),
    });
    await persistEffects(trx, { outbox: [notice, ...mail.outbox], audit: mail.audit }, now);
    return { ok: true, case: saved, mails: mail.outbox.length };
  });
}
