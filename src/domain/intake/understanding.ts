/**
 * The shapes the intake module hands to the rest of dpo-desk: the policy it needs and what it understood of one
 * inbound message. Pure data; no behaviour lives here.
 */
import type { Language, RequestType } from '../vocabulary.ts';
import type { AutoClass } from './auto-class.ts';
import type { IntakeKeywords } from './intake-keywords.ts';
import type { ReceiptSource } from './receipt-instant.ts';

/** Everything the intake needs to know about the organisation; built once by the composition root. */
export interface IntakePolicy {
  /** Internal domains, lower-case (e.g. `['example.com']`); subdomains count as internal too. */
  orgDomains: string[];
  /** Our own mailbox addresses (DPO mailbox, MAIL_FROM): never a requester; mail from them is `own_loop`. */
  ownAddresses: string[];
  /** Our loop header, e.g. `X-DPO-Desk-Loop`: any mail carrying it is `own_loop`. */
  loopHeader: string;
  /**
   * Host names of our own MX/IMAP servers: a `Received: … by <host>` with one of these is ours. Empty: every host
   * under `orgDomains` and the domains of `ownAddresses` is ours (gdpr-rules §1).
   */
  receivingHosts: string[];
  defaultLanguage: Language;
  /** Above this many bytes a message is quarantined as `too_large` without being parsed. */
  maxBytes: number;
  /** Keyword data from `workflows/intake-keywords.yaml`, see {@link loadIntakeKeywords}. */
  keywords: IntakeKeywords;
}

/** A mailbox as read from a header (`verified` lives on the requester only). */
export interface MailboxRef {
  email: string;
  name: string | null;
}

/** The person a case would be about (data subject) or who reported it (breach reporter). */
export interface Requester extends MailboxRef {
  /** false when the address was recovered only from body text (an inline forward): never mail it unconfirmed. */
  verified: boolean;
}

/** `web_form`: a form notification our site sent; the person is in Reply-To or the form's fields (unverified). */
export type ForwardKind = 'attached' | 'inline' | 'redirect' | 'web_form';

export interface ForwardInfo {
  kind: ForwardKind;
  /** Who forwarded or redirected the message to us (lower-case address), when known. */
  forwardedBy: string | null;
}

/** The message the requester actually wrote: the outer message itself unless it was forwarded. */
export interface OriginalMessage {
  subject: string;
  date: Date | null;
  text: string;
  messageId: string | null;
}

export interface AttachmentInfo {
  filename: string | null;
  mimeType: string;
  size: number;
}

export type ContentKind = 'request' | 'breach' | 'other';

/** What the intake understood of one inbound message. Every string that came from a header is CR/LF-free. */
export interface Understanding {
  /** Message-ID without `<>`; null if absent. */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** Outer subject. */
  subject: string;
  /** Outer From. */
  from: MailboxRef | null;
  auto: AutoClass;
  /** Which header or marker decided `auto`, e.g. `Auto-Submitted: auto-replied`; null for human mail. */
  autoReason: string | null;
  forward: ForwardInfo | null;
  /** null for automatic mail, and when the requester would be one of our own addresses. */
  requester: Requester | null;
  original: OriginalMessage;
  kind: ContentKind;
  /** Unique, in `REQUEST_TYPES` order; empty unless `kind` is `request`. */
  requestTypes: RequestType[];
  /** 0–1; below `CONFIDENT` a person's mail opens a triage case (see request-types.ts). */
  confidence: number;
  /** The words that decided `kind` and `requestTypes`, as `group: keyword`. */
  matched: string[];
  /** The template language of our replies. */
  language: Language;
  /** The language the text is written in (ISO 639-1), also when we have no templates in it; null if unsure. */
  detectedLanguage: string | null;
  /** Receipt instant per gdpr-rules §1. */
  receivedAt: Date;
  /** Which header dated it (see receipt-instant.ts), and that header line when there is one. */
  receiptSource: ReceiptSource;
  receiptHeader: string | null;
  /** For DSNs: the Message-ID (without `<>`) of our message that bounced. */
  bouncedMessageId: string | null;
  attachments: AttachmentInfo[];
}

/** Reasons a message cannot be understood; the poller quarantines it with its raw bytes (email.md). */
export type UnderstandFailure = 'too_large' | 'unparseable';

export type UnderstandResult =
  | { ok: true; value: Understanding }
  | { ok: false; reason: UnderstandFailure; detail: string };
