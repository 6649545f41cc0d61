/**
 * Understanding one inbound message: who wrote it, whether a person did, whether a colleague forwarded it, what it
 * asks for, in which language, and when it reached the organisation. Pure: no I/O, no clock, no environment —
 * the caller passes the raw bytes, the policy and the delivery time.
 */
import type { Email } from 'postal-mime';
import { domainOf, isInternal, isOwnAddress, mailboxOf } from './addresses.ts';
import { classifyAuto, type AutoVerdict } from './auto-class.ts';
import {
  autoByBody, compileBodyMatcher, readWebForm, withoutSignatures, type BodyMatcher, type WebForm,
} from './body-signals.ts';
import { bouncedMessageId } from './bounced-message.ts';
import { notForwarded, recoverOriginal, type OuterMessage, type Recovery } from './forwarded-original.ts';
import { cleanHeaderValue, cleanOrNull, firstMessageId, messageIdsIn } from './header-text.ts';
import { detectLanguage } from './language.ts';
import { parseMailDate } from './mail-date.ts';
import { contentSize, firstHeader, headerValues, mailText, parseMail } from './parsed-mail.ts';
import { forwardedReceiptInstant, receiptInstant, type Delivery, type Receipt } from './receipt-instant.ts';
import {
  CONFIDENT, classifyContent, compileContentMatcher, withoutQuotedLines, type ContentClassification,
} from './request-types.ts';
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
 * @param delivery IMAP INTERNALDATE, or `{ importedAt }` for a file (it has none): the receipt instant when no
 *   `Received:` header dates the message (gdpr-rules §1).
 */
export async function understandMessage(raw: Uint8Array, policy: IntakePolicy, delivery: Delivery): Promise<UnderstandResult> {
  if (raw.byteLength > policy.maxBytes) {
    return { ok: false, reason: 'too_large', detail: `${raw.byteLength} bytes, above the limit of ${policy.maxBytes} bytes` };
  }
  try {
    const parsed = await parseMail(raw);
    if (!parsed.ok) return { ok: false, reason: 'unparseable', detail: parsed.detail };
    return { ok: true, value: await understandParsed(parsed.mail, policy, delivery) };
  } catch (err) {
    // The one catch-all of this entry point: whatever a hostile message triggers, the poller gets a result and
    // moves on to the next message (email.md: the next message is processed in the same run).
    return { ok: false, reason: 'unparseable', detail: cleanHeaderValue(`unexpected error: ${err instanceof Error ? err.message : String(err)}`) };
  }
}

const NOT_A_REQUEST: ContentClassification = { kind: 'other', requestTypes: [], confidence: 0, matched: [] };

/**
 * Keywords and language are read from the start of the text only: a request says what it wants in its first pages,
 * and a multi-megabyte body (a pasted log, an inlined export) must not cost seconds of regular expressions.
 */
const MAX_ANALYSED_CHARS = 100_000;

interface Matchers {
  content: ReturnType<typeof compileContentMatcher>;
  body: BodyMatcher;
}

/** Compiled keyword matchers per keyword set: compiled once, not for every message (~700 expressions). */
const compiled = new WeakMap<IntakePolicy['keywords'], Matchers>();

function matchersOf(keywords: IntakePolicy['keywords']): Matchers {
  let m = compiled.get(keywords);
  if (!m) compiled.set(keywords, (m = { content: compileContentMatcher(keywords), body: compileBodyMatcher(keywords) }));
  return m;
}

async function understandParsed(mail: Email, policy: IntakePolicy, delivery: Delivery): Promise<Understanding> {
  const matchers = matchersOf(policy.keywords);
  const outer = readOuter(mail);
  const headers = headerVerdict(mail, outer, policy, matchers.body);
  // Only a person's mail is searched for a forwarded original: a DSN from our own MAILER-DAEMON also carries an
  // attached message/rfc822, and automatic mail has no human requester.
  const read: Recovery =
    headers.auto === 'human'
      ? viaWebForm(mail, await recoverOriginal(mail, outer, policy.orgDomains), policy, matchers.body)
      : { ...notForwarded(outer), author: null };
  const text = withoutSignatures(withoutQuotedLines(read.original.text.slice(0, MAX_ANALYSED_CHARS)), matchers.body);
  const content = subjectForContent(read.original.subject) + '\n' + text;
  // Automatic mail is never a request or a report, whatever words it quotes (a newsletter about the GDPR, a DSN
  // returning our own acknowledgement).
  const understood = headers.auto === 'human' ? classifyContent(content, matchers.content) : NOT_A_REQUEST;
  const verdict = headers.auto === 'human' ? bodyVerdict(outer, understood, policy, matchers.body) ?? headers : headers;
  const classified = verdict.auto === 'human' ? understood : NOT_A_REQUEST;
  const recovery: Recovery = verdict.auto === 'human' ? read : { ...read, author: null };
  // The language of the body; the subject counts only when the body has too few words to tell.
  const lang = detectLanguage(text.trim().length >= 40 ? text : content, policy.defaultLanguage);
  const receipt = receiptOf(mail, recovery, policy, delivery);
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
    kind: classified.kind,
    requestTypes: classified.requestTypes,
    confidence: classified.confidence,
    matched: classified.matched,
    language: lang.language,
    detectedLanguage: lang.detected,
    receivedAt: receipt.at,
    receiptSource: receipt.source,
    receiptHeader: receipt.header,
    bouncedMessageId: verdict.auto === 'bounce' ? bouncedMessageId(mail) : null,
    attachments: attachmentsOf(mail),
  };
}

/** "Re:", "AW:", "Antw:", "RE :", "SV:": the subject of a reply repeats an earlier message's words. */
const REPLY_PREFIX = /^\s*(?:re|aw|antw|sv|vs|r)\s*:/i;

/** The subject as content: a request may be only a subject line, but a reply's subject quotes the thread. */
function subjectForContent(subject: string): string {
  return REPLY_PREFIX.test(subject) ? '' : subject;
}

/**
 * The headers' verdict (auto-class.ts). A web form sent from one of our own addresses without our loop header is a
 * person's message, not our own loop.
 */
function headerVerdict(mail: Email, outer: OuterMessage, policy: IntakePolicy, body: BodyMatcher): AutoVerdict {
  const verdict = classifyAuto(mail, outer.from?.email ?? null, policy);
  const ownLoopByAddress = verdict.auto === 'own_loop' && firstHeader(mail, policy.loopHeader.toLowerCase()) === null;
  return ownLoopByAddress && webFormOf(mail, body) ? { auto: 'human', reason: null } : verdict;
}

/**
 * Mail whose headers look human, read for an out-of-office or a challenge-response in its own words. Never a
 * colleague's mail (their note is not automatic), and never a mail that names a request or a breach with
 * confidence: "In dringenden Fällen wenden Sie sich an …" in a person's signature must not drop their request.
 */
function bodyVerdict(
  outer: OuterMessage, understood: ContentClassification, policy: IntakePolicy, body: BodyMatcher,
): AutoVerdict | null {
  const from = outer.from?.email ?? null;
  if ((from !== null && isInternal(from, policy.orgDomains)) || understood.confidence >= CONFIDENT) return null;
  return autoByBody(withoutQuotedLines(outer.original.text), body);
}

function webFormOf(mail: Email, body: BodyMatcher): WebForm | null {
  return readWebForm(mailText(mail).slice(0, MAX_ANALYSED_CHARS), body);
}

/**
 * A web-form notification: sent by our own site (an internal or own address), naming the person in Reply-To or in
 * the form's labelled fields. Whoever typed the form could type any address: the requester is unverified.
 */
function viaWebForm(mail: Email, recovery: Recovery, policy: IntakePolicy, body: BodyMatcher): Recovery {
  const sender = recovery.author?.email ?? null;
  if (recovery.forward !== null || sender === null) return recovery;
  if (!isInternal(sender, policy.orgDomains) && !isOwnAddress(sender, policy.ownAddresses)) return recovery;
  const form = readWebForm(recovery.original.text.slice(0, MAX_ANALYSED_CHARS), body);
  const replyTo = mailboxOf(mail.replyTo?.[0]);
  const person = replyTo && !isInternal(replyTo.email, policy.orgDomains) ? replyTo : null;
  if (form === null && person === null) return recovery;
  const email = person?.email ?? form?.email ?? null;
  if (email === null || isInternal(email, policy.orgDomains)) return recovery;
  return {
    forward: { kind: 'web_form', forwardedBy: sender },
    original: { ...recovery.original, date: null },
    author: { email, name: form?.name ?? person?.name ?? null, verified: false },
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

/** Our servers: MAIL_RECEIVING_HOSTS, else any host under our domains and our own addresses' domains. */
function ownServers(policy: IntakePolicy) {
  const domains = [...policy.orgDomains, ...policy.ownAddresses.map(domainOf)];
  return { receivingHosts: policy.receivingHosts, domains };
}

/** gdpr-rules §1: our first Received stamp, else …; an internal colleague's forward keeps the original date. */
function receiptOf(mail: Email, recovery: Recovery, policy: IntakePolicy, delivery: Delivery): Receipt {
  const outer = receiptInstant(headerValues(mail, 'received'), ownServers(policy), delivery, firstHeader(mail, 'date'));
  const by = recovery.forward?.forwardedBy ?? null;
  if (by === null || recovery.forward?.kind === 'web_form' || !isInternal(by, policy.orgDomains)) return outer;
  const at = forwardedReceiptInstant(recovery.original.date, outer.at);
  return at === outer.at ? outer : { at, source: 'forwarded_original', header: null };
}

function attachmentsOf(mail: Email): AttachmentInfo[] {
  return mail.attachments.map((a) => ({
    filename: cleanOrNull(a.filename),
    mimeType: cleanHeaderValue(a.mimeType),
    size: contentSize(a.content),
  }));
}
