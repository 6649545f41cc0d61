/**
 * Whether a clock may be extended. GDPR Art. 12(3): by two further months where necessary, only if the data
 * subject was told, with reasons, within the first month; at most once. CCPA §1798.130(a)(2): to 90 days with
 * notice and reason within the first 45.
 */
import type { LocalDate } from '../local-date.ts';
import type { Deadline } from './deadline.ts';

export type ExtensionRefusal =
  | 'EXTENSION_NOT_AVAILABLE'
  | 'EXTENSION_ALREADY_USED'
  | 'EXTENSION_REASONS_REQUIRED'
  | 'EXTENSION_NOTICE_NOT_SENT'
  | 'EXTENSION_NOTICE_LATE';

export type ExtensionDecision =
  | { ok: true; extendedDue: LocalDate }
  | { ok: false; code: ExtensionRefusal; message: string };

/** `sentOn`: the date the notice with reasons was sent (null: not sent yet). */
export function decideExtension(
  d: Deadline,
  notice: { sentOn: LocalDate | null; reasons: string },
): ExtensionDecision {
  if (!d.extendedDue) {
    return refuse('EXTENSION_NOT_AVAILABLE', `The ${d.regime} clock cannot be extended.`);
  }
  if (d.extended) return refuse('EXTENSION_ALREADY_USED', 'This clock was already extended; it can be extended once.');
  if (notice.reasons.trim().length === 0) {
    return refuse('EXTENSION_REASONS_REQUIRED', 'An extension needs the reasons given to the data subject.');
  }
  if (!notice.sentOn) {
    return refuse('EXTENSION_NOTICE_NOT_SENT', 'An extension takes effect only once its notice has been sent.');
  }
  if (notice.sentOn > d.due) {
    return refuse(
      'EXTENSION_NOTICE_LATE',
      `The notice was sent ${notice.sentOn}, after the original deadline ${d.due}: too late to extend.`,
    );
  }
  return { ok: true, extendedDue: d.extendedDue };
}

function refuse(code: ExtensionRefusal, message: string): ExtensionDecision {
  return { ok: false, code, message };
}
