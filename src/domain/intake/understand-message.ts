/**
 * Understanding one inbound message: who wrote it, whether a person did, whether a colleague forwarded it, what it
 * asks for, in which language, and when it reached the organisation. Pure: no I/O, no clock, no environment —
 * the caller passes the raw bytes, the policy and the delivery time.
 */
import type { Email } from 'postal-mime';
import { isInternal, isOwnAddress, mailboxOf } from './addresses.ts';
import { classifyAuto } from './auto-class.ts';
import { bouncedMessageId } from './bounced-message.ts';
import { notForwarded, recoverOriginal, type OuterMessage, type Recovery } from './forwarded-original.ts';
import { cleanHeaderValue, cleanOrNull, firstMessageId, messageIdsIn } from './header-text.ts';
import { compileStopWords, detectLanguage } from './language.ts';
import { parseMailDate } from './mail-date.ts';
import { contentSize, firstHeader, headerValues, mailText, parseMail } from './parsed-mail.ts';
import { forwardedReceiptInstant, receiptInstant } from './receipt-instant.ts';
import { classifyContent, compileContentMatcher, withoutQuotedLines, type ContentClassification } from './request-types.ts';
import type { AttachmentInfo, IntakePolicy, Requester, Understanding, UnderstandResult } from './understanding.ts';

export type {
  IntakePolicy,
  Understanding,
  UnderstandResult,
  UnderstandFailure,
  MailboxRef,
  Requester,
  ForwardInfo,
  ForwardKind,
  OriginalMessage,
  AttachmentInfo,
  ContentKind,
} from './understanding.ts';
export type { AutoClass } from './auto-class.ts';
export { loadIntakeKeywords, IntakeKeywordsError, type IntakeKeywords } from './intake-keywords.ts';

/**
 * Understands one raw message. Never throws: a message above `policy.maxBytes` is `too_large` (checked before
 * parsing, so a huge message costs nothing), anything the parser cannot read is `unparseable`; both are
 * quarantined with their raw bytes by the caller (email.md, poison messages).
 *
 * @param deliveredAt IMAP INTERNALDATE (or the file's mtime): the receipt instant when no `Received:` header of
 *   ours is found (gdpr-rules §1).
 */
export async function understandMessage(raw: Uint8Array, policy: IntakePolicy, deliveredAt: Date): Promise<UnderstandResult> {
  if (raw.byteLength > policy.maxBytes) {
    return { ok: false, reason: 'too_large', detail: `${raw.byteLength} bytes, above the limit of ${policy.maxBytes} bytes` };
  }
  try {
    const parsed = await parseMail(raw);
    if (!parsed.ok) return { ok: false, reason: 'unparseable', detail: parsed.detail };
    return { ok: true, value: await understandParsed(parsed.mail, policy, deliveredAt) };
  } catch (err) {
    // The one catch-all of this entry point: whatever a hostile message triggers, the poller gets a result and
    // moves on to the next message (email.md: the next message is processed in the same run).
    return { ok: false, reason: 'unparseable', detail: cleanHeaderValue(`unexpected error: ${err instanceof Error ? err.message : String(err)}`) };
  }
}

const NOT_A_REQUEST: ContentClassification = { kind: 'other', requestTypes: [] };

/**
 * Keywords and language are read from the start of the text only: a request says what it wants in its first pages,
 * and a multi-megabyte body (a pasted log, an inlined export) must not cost seconds of regular expressions.
 */
const MAX_ANALYSED_CHARS = 100_000;

/** Compiled keyword matchers per keyword set: compiled once, not for every message (~540 expressions). */
const compiled = new WeakMap<IntakePolicy['keywords'], { content: ReturnType<typeof compileContentMatcher>; stopWords: ReturnType<typeof compileStopWords> }>();

function matchersOf(keywords: IntakePolicy['keywords']) {
  let m = compiled.get(keywords);
  if (!m) compiled.set(keywords, (m = { content: compileContentMatcher(keywords), stopWords: compileStopWords(keywords.stopWords) }));
  return m;
}

async function understandParsed(mail: Email, policy: IntakePolicy, deliveredAt: Date): Promise<Understanding> {
  const matchers = matchersOf(policy.keywords);
  const outer = readOuter(mail);
  const verdict = classifyAuto(mail, outer.from?.email ?? null, policy);
  // Only a person's mail is searched for a forwarded original: a DSN from our own MAILER-DAEMON also carries an
  // attached message/rfc822, and automatic mail has no human requester.
  const recovery: Recovery =
    verdict.auto === 'human' ? await recoverOriginal(mail, outer, policy.orgDomains) : { ...notForwarded(outer), author: null };
  const content = recovery.original.subject + '\n' + withoutQuotedLines(recovery.original.text.slice(0, MAX_ANALYSED_CHARS));
  // Automatic mail is never a request or a report, whatever words it quotes (a newsletter about the GDPR, a DSN
  // returning our own acknowledgement).
  const { kind, requestTypes } =
    verdict.auto === 'human' ? classifyContent(content, matchers.content) : NOT_A_REQUEST;
  return {
    messageId: outer.original.messageId,
    inReplyTo: firstMessageId(firstHeader(mail, 'in-reply-to')),
    references: messageIdsIn(firstHeader(mail, 'references')),
    subject: outer.subject,
    from: outer.from,
    auto: verdict.auto,
    autoReason: verdict.reason,
    forward: recovery.forward,
    requester: requesterOf(recovery.author, policy),
    original: recovery.original,
    kind,
    requestTypes,
    language: detectLanguage(content, matchers.stopWords, policy.defaultLanguage),
    receivedAt: receivedAtOf(mail, recovery, policy, deliveredAt),
    bouncedMessageId: verdict.auto === 'bounce' ? bouncedMessageId(mail) : null,
    attachments: attachmentsOf(mail),
  };
}

function readOuter(mail: Email): OuterMessage {
  const subject = cleanHeaderValue(mail.subject ?? '');
  const dateHeader = firstHeader(mail, 'date');
  return {
    from: mailboxOf(mail.from),
    subject,
    dateHeader,
    original: { subject, date: parseMailDate(dateHeader), text: mailText(mail), messageId: firstMessageId(mail.messageId) },
  };
}

/** The requester is never one of our own mailboxes (it would make dpo-desk write to itself). */
function requesterOf(author: Requester | null, policy: IntakePolicy): Requester | null {
  if (author === null || isOwnAddress(author.email, policy.ownAddresses)) return null;
  return author;
}

/** gdpr-rules §1: our first Received stamp, else delivery; an internal colleague's forward keeps the original date. */
function receivedAtOf(mail: Email, recovery: Recovery, policy: IntakePolicy, deliveredAt: Date): Date {
  const outer = receiptInstant(headerValues(mail, 'received'), policy.receivingHosts, deliveredAt).at;
  const by = recovery.forward?.forwardedBy ?? null;
  if (by === null || !isInternal(by, policy.orgDomains)) return outer;
  return forwardedReceiptInstant(recovery.original.date, outer);
}

function attachmentsOf(mail: Email): AttachmentInfo[] {
  return mail.attachments.map((a) => ({
    filename: cleanOrNull(a.filename),
    mimeType: cleanHeaderValue(a.mimeType),
    size: contentSize(a.content),
  }));
}
