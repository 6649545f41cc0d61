/**
 * The outbox deliverer: claims due rows, sends each through the transport of its channel, and records the
 * outcome. A row is marked sent only after its transport confirmed; retryable failures come back with capped
 * backoff; permanent ones are recorded on the case and the DPO is alerted (through the outbox too).
 *
 * The attempt is recorded before the transport is called: the claim commits `state = sending, attempts + 1`.
 * A row claimed again (attempts > 1: a crash, an expired lease or a lost response) may have gone out already, so
 * a transport that can tell is asked first (`alreadySent`: the Sent folder by Message-ID; Slack looks its posts
 * up by metadata itself) and the earlier send is recorded instead of sending twice.
 */
import { appendAudit } from '../adapters/db/audit-log.ts';
import { findCaseById, updateCase } from '../adapters/db/case-repository.ts';
import {
  claimDue, enqueue, markFailed, markRetry, markSent, type OutboxChannel, type OutboxRow,
} from '../adapters/db/outbox-repository.ts';
import { decideFailure, DeliveryError, DEFAULT_RETRY, type RetryPolicy } from '../domain/outbox-policy.ts';
import type { AppDeps } from './deps.ts';
import { ON_FAILED, ON_SENT } from './on-sent.ts';
import { caseNotice, dpoAlert } from './compose-mail.ts';
import type { SendResult, Transport, Transports } from './ports.ts';
import { nextTurn } from '../event-loop.ts';

export type { SendResult, Transport, Transports } from './ports.ts';

export interface DeliverOptions {
  owner: string;
  limit?: number;
  leaseMs?: number;
  retry?: RetryPolicy;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
}

export async function deliverOutbox(
  deps: AppDeps, transports: Transports, opts: DeliverOptions,
): Promise<DeliveryReport> {
  const { db, dialect } = deps.database;
  const rows = await claimDue(db, dialect, {
    owner: opts.owner, now: deps.clock(), leaseMs: opts.leaseMs ?? 5 * 60_000, limit: opts.limit ?? 50,
  });
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 };
  for (const row of rows) {
    const outcome = await deliverOne(deps, transports, row, opts);
    report[outcome]++;
  }
  return report;
}

export interface DrainOptions extends DeliverOptions {
  /** Checked between passes: a graceful stop finishes the pass in hand, then returns. */
  stopped?: () => boolean;
}

/**
 * The one "deliver until nothing is due" loop: passes of `limit` rows, the event loop yielded between passes (a
 * Slack ack never waits behind a long drain). Rows that come back for a retry are due later, so the loop ends.
 */
export async function drainOutbox(deps: AppDeps, transports: Transports, opts: DrainOptions): Promise<DeliveryReport> {
  const total: DeliveryReport = { sent: 0, retried: 0, failed: 0 };
  while (!opts.stopped?.()) {
    const r = await deliverOutbox(deps, transports, opts);
    total.sent += r.sent;
    total.retried += r.retried;
    total.failed += r.failed;
    if (r.sent + r.retried + r.failed === 0) break;
    await nextTurn();
  }
  return total;
}

async function deliverOne(
  deps: AppDeps, transports: Transports, row: OutboxRow, opts: DeliverOptions,
): Promise<keyof DeliveryReport> {
  const transport = transports[row.channel];
  try {
    if (!transport) throw new DeliveryError(`no transport for channel ${row.channel}`, false);
    const earlier = row.attempts > 1 && transport.alreadySent ? await transport.alreadySent(row) : null;
    if (earlier) {
      deps.log.info({ outbox: row.id, kind: row.kind }, 'sent by an earlier attempt; recorded, not sent again');
    }
    const result = earlier ?? await transport.send(row);
    await recordSent(deps, row, opts.owner, result);
    return 'sent';
  } catch (e) {
    const error = e instanceof DeliveryError ? e : new DeliveryError((e as Error).message ?? String(e), true);
    const now = deps.clock();
    const decision = decideFailure(
      error, row.attempts, row.createdAt.getTime(), now.getTime(), opts.retry ?? DEFAULT_RETRY, deps.random,
    );
    if (decision.action === 'retry') {
      await markRetry(deps.database.db, row.id, opts.owner, new Date(decision.at), error.message);
      deps.log.warn(
        { outbox: row.id, kind: row.kind, attempt: row.attempts, retryAt: new Date(decision.at).toISOString() },
        'delivery failed, will retry',
      );
      return 'retried';
    }
    await recordFailed(deps, row, opts.owner, decision.reason);
    return 'failed';
  }
}

async function recordSent(deps: AppDeps, row: OutboxRow, owner: string, { ref, sentCopy }: SendResult): Promise<void> {
  const now = deps.clock();
  await deps.database.db.transaction().execute(async (trx) => {
    if (!(await markSent(trx, row.id, owner, ref, now))) {
      deps.log.warn({ outbox: row.id }, 'sent after its lease was taken over; recorded once by the other deliverer');
      return;
    }
    if (row.caseId) {
      await appendAudit(trx, [{
        caseId: row.caseId, type: 'EffectDelivered', actor: 'system', at: now,
        data: { outboxId: row.id, channel: row.channel, kind: row.kind, ref },
      }]);
    }
    if (row.onSent) await ON_SENT[row.onSent]?.(deps, trx, row, now);
    if (sentCopy) {
      await enqueue(trx, [{
        id: deps.newId(), caseId: row.caseId, channel: 'imap', kind: 'sent-copy', idempotencyKey: `${row.id}:sent-copy`,
        payload: { raw: Buffer.from(sentCopy).toString('base64'), caseNumber: row.payload.caseNumber ?? null },
        notBefore: now,
      }], now);
    }
  });
}

/** A server's words about a failed delivery may name the recipient: the address never goes further than here. */
const withoutAddresses = (text: string) => text.replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '<address>');

/** A permanent failure: on the case (counter + audit) and an alert to the DPO, unless it was that alert. */
async function recordFailed(deps: AppDeps, row: OutboxRow, owner: string, serverSaid: string): Promise<void> {
  const now = deps.clock();
  const reason = withoutAddresses(serverSaid);
  await deps.database.db.transaction().execute(async (trx) => {
    if (!(await markFailed(trx, row.id, owner, reason, now))) return;
    const c = row.caseId ? await findCaseById(trx, row.caseId) : null;
    if (c) await updateCase(trx, { ...c, deliveryFailures: c.deliveryFailures + 1, updatedAt: now });
    if (row.onSent) await ON_FAILED[row.onSent]?.(deps, trx, row, now);
    await appendAudit(trx, [{
      caseId: row.caseId, type: 'DeliveryFailed', actor: 'system', at: now,
      data: { outboxId: row.id, channel: row.channel, kind: row.kind, reason },
    }]);
    if (row.kind === 'dpo-alert') return;
    // The case's thread says it too (no address or server text: those may name the data subject).
    if (c && row.channel === 'mail') {
      await enqueue(trx, [caseNotice(deps, c, 'case-updated', `${row.id}:failed:notice`, now, {
        event: 'DeliveryFailed',
        done: `the ${row.kind.replace(/-/g, ' ')} mail could not be delivered (see the case's outbox)`,
      })], now);
    }
    await enqueue(trx, dpoAlert(deps, {
      caseId: row.caseId, caseNumber: c?.number ?? null, deliveryFailed: true, key: `${row.id}:failed`,
      reason: `${row.kind} via ${row.channel}: ${reason}`,
    }, now), now);
  });
  deps.log.error({ outbox: row.id, kind: row.kind, channel: row.channel }, 'delivery failed permanently; DPO alerted');
}
