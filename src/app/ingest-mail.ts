/**
 * Mail intake, exactly once: the raw message is stored first (unique by Message-ID or hash, and by
 * mailbox/UIDVALIDITY/UID); then it is understood and routed — a new case, a reply joined to its case, evidence,
 * ignored, or quarantined — in ONE transaction with the inbox row's settlement. Moving it to a folder happens
 * after commit (the poller's job). A dry run takes the same path and rolls back.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { getInbox, settleInbox, storeInbox, type InboxRow } from '../adapters/db/mail-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import { understandMessage } from '../domain/intake/understand-message.ts';
import type { Delivery } from '../domain/intake/receipt-instant.ts';
import type { Understanding, UnderstandResult } from '../domain/intake/understanding.ts';
import type { AppDeps } from './deps.ts';
import { quarantine, routeMail, type Routed } from './mail-routing.ts';
import { appendAudit } from '../adapters/db/audit-log.ts';
import { enqueue } from '../adapters/db/outbox-repository.ts';
import { contentFingerprint } from '../domain/mail-fingerprint.ts';
import { dpoAlert } from './compose-mail.ts';
import { isTransientError } from '../domain/transient-errors.ts';
import { nextTurn } from '../event-loop.ts';

export interface InboundMail {
  raw: Uint8Array;
  /**
   * IMAP INTERNALDATE; null for a file import, which has none (gdpr-rules §1: then the message's own `Received:` or
   * `Date:` header, else the time of the import — never the file's modification time).
   */
  deliveredAt: Date | null;
  source: 'imap' | 'file';
  mailbox?: string;
  uidValidity?: number;
  uid?: number;
}

export interface IngestResult extends Routed {
  inboxId: string | null;
  duplicate: boolean;
  understanding: Understanding | null;
  caseNumber: string | null;
}

class DryRun extends Error {
  constructor(readonly result: IngestResult) {
    super('dry run');
  }
}

/** A header-level Message-ID, read without parsing the whole message (dedupe before anything can fail). */
export function dedupeKeyOf(raw: Uint8Array): { key: string; sha256: string } {
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const head = Buffer.from(raw.subarray(0, 64 * 1024)).toString('latin1').split(/\r?\n\r?\n/)[0] ?? '';
  const id = /^message-id:[ \t]*(?:\r?\n[ \t]+)?<([^>\s]{3,})>/im.exec(head)?.[1];
  return { key: id ? `mid:${id.toLowerCase()}` : `sha256:${sha256}`, sha256 };
}

export async function ingestMail(deps: AppDeps, mail: InboundMail, now: Date, opts: { dryRun?: boolean } = {}): Promise<IngestResult> {
  if (opts.dryRun) return dryRun(deps, mail, now);
  const { row, duplicate } = await storeRaw(deps, mail, now);
  if (duplicate && row.state !== 'received') return settledResult(deps, row);
  return processInbox(deps, row.id, now, mail.deliveredAt ?? { importedAt: row.deliveredAt }, row);
}

export async function storeRaw(deps: AppDeps, mail: InboundMail, now: Date) {
  const { key, sha256 } = dedupeKeyOf(mail.raw);
  const store = (dedupeKey: string) => storeInbox(deps.database.db, {
    id: deps.newId(), dedupeKey, sha256, source: mail.source, mailbox: mail.mailbox ?? null,
    uidValidity: mail.uidValidity ?? null, uid: mail.uid ?? null, raw: mail.raw, deliveredAt: mail.deliveredAt ?? now,
  }, now);
  const first = await store(key);
  if (!first.duplicate || !key.startsWith('mid:') || sameMail(first.row, mail.raw)) return first;
  // The same Message-ID on a different mail (another sender, another text): a new mail, flagged, never dropped.
  return store(`${key}${REUSED}${contentFingerprint(mail.raw)}`);
}

/** Marks the dedupe key of a mail whose Message-ID an earlier, different mail carried. */
const REUSED = '#reused:';

function sameMail(row: InboxRow, raw: Uint8Array): boolean {
  return row.sha256 === createHash('sha256').update(raw).digest('hex') || contentFingerprint(row.raw) === contentFingerprint(raw);
}

/**
 * Understands and routes a stored message; a row settled meanwhile by another instance is left as it is.
 * `delivery`: the row's delivery time is IMAP INTERNALDATE unless the caller says it was a file import.
 */
export async function processInbox(
  deps: AppDeps, inboxId: string, now: Date, delivery?: Delivery, stored?: InboxRow,
): Promise<IngestResult> {
  const row = stored?.id === inboxId ? stored : (await getInbox(deps.database.db, inboxId))!; // no second copy of the bytes
  const understand = deps.understand ?? ((raw: Uint8Array, d: Delivery) => understandMessage(raw, deps.intake, d));
  const understood = await understand(row.raw, delivery ?? row.deliveredAt);
  const result = await deps.database.db.transaction().execute(async (trx) => {
    const routed = await routeMail(trx, deps, row, understood, now);
    if (row.dedupeKey.includes(REUSED)) await flagReusedMessageId(trx, deps, row, routed, now);
    const settled = await settleInbox(trx, row.id, { state: routed.state, action: routed.action, reason: routed.reason, caseId: routed.caseId }, now);
    if (!settled) throw new AlreadySettled();
    return resultOf(trx, row, routed, understood);
  }).catch(async (e) => {
    if (e instanceof AlreadySettled) return settledResult(deps, (await getInbox(deps.database.db, inboxId))!);
    throw e;
  });
  deps.log.info({ inbox: row.id, action: result.action, reason: result.reason, case: result.caseNumber }, 'mail routed');
  return result;
}

class AlreadySettled extends Error {}

/** "Message-ID reused" on the case (audit) and to the DPO: reuse is a sender's bug or a forgery worth a look. */
async function flagReusedMessageId(trx: Transaction<DB>, deps: AppDeps, row: InboxRow, routed: Routed, now: Date) {
  const caseNumber = routed.caseId
    ? (await trx.selectFrom('cases').select('number').where('id', '=', routed.caseId).executeTakeFirst())?.number ?? null : null;
  const reason = `Message-ID reused: a different mail carried the Message-ID of an earlier one; taken in as a new mail (${routed.action})`;
  await appendAudit(trx, [{ caseId: routed.caseId, type: 'MessageIdReused', actor: 'system', at: now, data: { inbox: row.id, action: routed.action } }]);
  await enqueue(trx, dpoAlert(deps, { caseId: routed.caseId, caseNumber, deliveryFailed: false, key: `${row.id}:mid-reused`, reason }, now), now);
  deps.log.warn({ inbox: row.id, case: caseNumber }, 'Message-ID reused by a different mail; taken in as a new mail');
}

export interface SafeIntakeOptions {
  /** Quarantine a message only after it failed this many times in a row with the same error (default 3). */
  quarantineAfter?: number;
  /** Tries of a transient failure (busy, locked, reset, timeout) within one call, with capped backoff (default 4). */
  transientTries?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Test seams: the processing and the quarantine of one stored message. */
  process?: (inboxId: string, stored?: InboxRow) => Promise<string>;
  quarantine?: (inboxId: string, reason: string) => Promise<void>;
}

export interface SafeIntake {
  /** The message's state afterwards; `received` means "left for the next run" (not settled, not to be moved). */
  process(inboxId: string, stored?: InboxRow): Promise<string>;
}

/**
 * Processes stored messages without mistaking a transient failure for bad mail. A transient error (database busy
 * or locked, connection reset, timeout) is retried with capped backoff and, if it persists, the message is left
 * `received` for the next run — never quarantined. Any other error leaves it for the next run too, until it failed
 * the same way `quarantineAfter` times: then it is quarantined with the error (a bug, not a blocker of the queue).
 * The event loop is yielded before each message, so a backlog never starves Slack's acks.
 */
export function createSafeIntake(deps: AppDeps, opts: SafeIntakeOptions = {}): SafeIntake {
  const quarantineAfter = opts.quarantineAfter ?? 3;
  const tries = opts.transientTries ?? 4;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const run = opts.process
    ?? (async (id: string, stored?: InboxRow) => (await processInbox(deps, id, deps.clock(), undefined, stored)).state);
  const toQuarantine = opts.quarantine
    ?? ((id: string, reason: string) => quarantineStored(deps, id, reason, deps.clock()));
  const failures = new Map<string, { error: string; count: number }>();
  return {
    async process(inboxId, stored) {
      await nextTurn();
      for (let attempt = 1; ; attempt++) {
        try {
          const state = await run(inboxId, stored);
          failures.delete(inboxId);
          return state;
        } catch (e) {
          const error = (e as Error)?.message ?? String(e);
          if (isTransientError(e)) {
            if (attempt < tries) {
              await sleep(Math.min(2_000, 100 * 4 ** (attempt - 1)));
              continue;
            }
            deps.log.warn({ inbox: inboxId, err: error }, 'processing deferred: transient failure; next run retries');
            return 'received';
          }
          const seen = failures.get(inboxId);
          const count = seen?.error === error ? seen.count + 1 : 1;
          if (count < quarantineAfter) {
            failures.set(inboxId, { error, count });
            deps.log.warn({ inbox: inboxId, err: error, failures: count }, 'processing failed; the next run retries');
            return 'received';
          }
          failures.delete(inboxId);
          deps.log.error({ inbox: inboxId, err: error, failures: count }, 'failed repeatedly; message quarantined');
          await toQuarantine(inboxId, `processing failed ${count} times: ${error}`);
          return 'quarantined';
        }
      }
    },
  };
}

/**
 * The last resort for a stored message whose processing threw (a bug, not bad mail): quarantined with the error,
 * so it never blocks the next message and never retries forever.
 */
export async function quarantineStored(deps: AppDeps, inboxId: string, reason: string, now: Date): Promise<void> {
  await deps.database.db.transaction().execute(async (trx) => {
    const row = (await getInbox(trx, inboxId))!;
    if (row.state !== 'received') return;
    const routed = await quarantine(trx, deps, row, reason, now);
    await settleInbox(trx, row.id, { state: routed.state, action: routed.action, reason: routed.reason, caseId: null }, now);
  });
}

async function dryRun(deps: AppDeps, mail: InboundMail, now: Date): Promise<IngestResult> {
  const { key, sha256 } = dedupeKeyOf(mail.raw);
  const understood = await understandMessage(mail.raw, deps.intake, mail.deliveredAt ?? { importedAt: now });
  const row: InboxRow = {
    id: 'dry-run', dedupeKey: key, sha256, source: mail.source, mailbox: null, uidValidity: null, uid: null, raw: mail.raw,
    deliveredAt: mail.deliveredAt ?? now, state: 'received', action: null, reason: null, caseId: null, movedTo: null,
  };
  try {
    await deps.database.db.transaction().execute(async (trx) => {
      const routed = await routeMail(trx, deps, row, understood, now);
      throw new DryRun(await resultOf(trx, row, routed, understood));
    });
  } catch (e) {
    if (e instanceof DryRun) return { ...e.result, inboxId: null };
    throw e;
  }
  throw new Error('unreachable');
}

async function resultOf(trx: Transaction<DB>, row: InboxRow, routed: Routed, u: UnderstandResult): Promise<IngestResult> {
  const number = routed.caseId
    ? (await trx.selectFrom('cases').select('number').where('id', '=', routed.caseId).executeTakeFirst())?.number ?? null : null;
  return { ...routed, inboxId: row.id, duplicate: false, understanding: u.ok ? u.value : null, caseNumber: number };
}

async function settledResult(deps: AppDeps, row: InboxRow): Promise<IngestResult> {
  const number = row.caseId
    ? (await deps.database.db.selectFrom('cases').select('number').where('id', '=', row.caseId).executeTakeFirst())?.number ?? null : null;
  return {
    state: row.state === 'received' ? 'ignored' : row.state, action: 'ignore', reason: 'duplicate', caseId: row.caseId,
    inboxId: row.id, duplicate: true, understanding: null, caseNumber: number,
  };
}
