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
  return processInbox(deps, row.id, now, mail.deliveredAt ?? { importedAt: row.deliveredAt });
}

export async function storeRaw(deps: AppDeps, mail: InboundMail, now: Date) {
  const { key, sha256 } = dedupeKeyOf(mail.raw);
  return storeInbox(deps.database.db, {
    id: deps.newId(), dedupeKey: key, sha256, source: mail.source, mailbox: mail.mailbox ?? null,
    uidValidity: mail.uidValidity ?? null, uid: mail.uid ?? null, raw: mail.raw, deliveredAt: mail.deliveredAt ?? now,
  }, now);
}

/**
 * Understands and routes a stored message; a row settled meanwhile by another instance is left as it is.
 * `delivery`: the row's delivery time is IMAP INTERNALDATE unless the caller says it was a file import.
 */
export async function processInbox(deps: AppDeps, inboxId: string, now: Date, delivery?: Delivery): Promise<IngestResult> {
  const row = (await getInbox(deps.database.db, inboxId))!;
  const understood = await understandMessage(row.raw, deps.intake, delivery ?? row.deliveredAt);
  const result = await deps.database.db.transaction().execute(async (trx) => {
    const routed = await routeMail(trx, deps, row, understood, now);
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
  const { key } = dedupeKeyOf(mail.raw);
  const understood = await understandMessage(mail.raw, deps.intake, mail.deliveredAt ?? { importedAt: now });
  const row: InboxRow = {
    id: 'dry-run', dedupeKey: key, source: mail.source, mailbox: null, uidValidity: null, uid: null, raw: mail.raw,
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
