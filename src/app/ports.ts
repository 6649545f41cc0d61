/**
 * The ports of the use cases: what they need from the world, as interfaces the adapters implement (SMTP, Slack,
 * files, the Sent folder; the mail renderer; where mail is understood). Kept apart from the use cases, so an adapter
 * depends on this file, never on a use case, and no import goes round in a cycle.
 */
import type { OutboxChannel, OutboxRow } from '../adapters/db/outbox-repository.ts';
import type { Case, CasePrivate } from '../domain/case.ts';
import type { Deadline } from '../domain/deadlines/deadline.ts';
import type { Delivery } from '../domain/intake/receipt-instant.ts';
import type { UnderstandResult } from '../domain/intake/understanding.ts';

/** A way out of the database: sends one row, resolves with the transport's reference, or throws DeliveryError. */
/**
 * Understands one stored message (raw bytes, delivery time): in-process by default; while the desk runs, on a worker
 * thread (adapters/intake/understanding-thread.ts). The pure function is domain/intake/understand-message.ts.
 */
export type Understand = (raw: Uint8Array, delivery: Delivery) => Promise<UnderstandResult>;

export interface Transport {
  send(row: OutboxRow): Promise<SendResult>;
  /** For a row an earlier attempt may have sent: that send's result if the far side shows it, else null. */
  alreadySent?(row: OutboxRow): Promise<SendResult | null>;
}

export interface SendResult {
  ref: string | null;
  /** The exact bytes sent, when a copy is to be filed in the Sent folder (after the row is marked sent). */
  sentCopy?: Uint8Array;
}

export type Transports = Partial<Record<OutboxChannel, Transport>>;

export interface MailRequest {
  template: string;
  case: Case;
  private: CasePrivate;
  deadlines: readonly Deadline[];
  /** Template-specific values (reasons, outcome, incident facts…). */
  fields: Record<string, unknown>;
  /** The address it goes to (already checked). */
  to: string;
  /** The outbox row id: Message-IDs are derived from it so a retried send carries the same one. */
  outboxId: string;
}

/** A file sent with a mail (e.g. the original request forwarded to a controller), base64 in the outbox row. */
export interface MailAttachment {
  filename: string;
  contentType: string;
  contentBase64: string;
}

export interface ComposedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}

export interface MailComposer {
  compose(req: MailRequest): ComposedMail;
  /** An internal mail (to the DPO): no data subject, the context given as is. */
  composeInternal(req: { template: string; context: Record<string, unknown>; to: string; caseNumber: string | null; outboxId: string }): ComposedMail;
}

/**
 * What the outbox carries, one shape per kind of row: written by the use case that decides, read by the transport
 * that delivers. A case notice (`case-opened`, `case-updated`, `reply-received`…) has case facts only — never the
 * data subject's identity or words.
 */
export interface CaseNoticePayload {
  caseNumber: string;
  kind: string;
  requestTypes: readonly string[];
  regime: string | null;
  state: string;
  owner: string | null;
  dueAt: string | null;
  /** The step, and what happened in words (a workflow event's `done`). */
  event?: string;
  done?: string;
  by?: string;
  /** A step's mail: how many went to the outbox, or why none could (never "queued" for a withheld one). */
  mailsQueued?: number;
  mailWithheld?: string;
  [extra: string]: unknown;
}

/** A DPO alert in Slack: the case number and the reason only. */
export interface DpoAlertPayload {
  caseNumber: string | null;
  reason: string;
  deliveryFailed: boolean;
}

/** A mail row: the exact message built when it was decided, with its thread headers and files. */
export interface MailPayload extends ComposedMail {
  caseNumber: string | null;
  inReplyTo?: string;
  references?: string[];
  attachments?: MailAttachment[];
}
