/** The outbox deliverer on SQLite and PostgreSQL: once per row, retries with backoff, permanent failures surfaced. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueue, listOutbox, type OutboxRow } from '../../../src/adapters/db/outbox-repository.ts';
import { findCaseByNumber } from '../../../src/adapters/db/case-repository.ts';
import { readAudit } from '../../../src/adapters/db/audit-log.ts';
import { deliverOutbox, type Transport } from '../../../src/app/deliver-outbox.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { DeliveryError } from '../../../src/domain/outbox-policy.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';

/** A transport that records what it was given and yields to the event loop, so concurrent deliverers interleave. */
function recordingTransport(fail: (row: OutboxRow, call: number) => DeliveryError | null = () => null, before?: () => Promise<void>) {
  const sent: string[] = [];
  let calls = 0;
  const transport: Transport = {
    async send(row) {
      calls++;
      await before?.();
      await new Promise((r) => setImmediate(r));
      const error = fail(row, calls);
      if (error) throw error;
      sent.push(row.id);
      return { ref: `ref-${row.id}` };
    },
  };
  return { transport, sent, calls: () => calls };
}

describe.each(testDatabases())('outbox on $name', (tdb) => {
  let desks: Desk[] = [];
  let url: string;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-05T10:00:00Z');

  beforeEach(async () => {
    ({ url, drop } = await freshDatabase(tdb));
    clock.set('2026-03-05T10:00:00Z');
    desks = [testDesk(url, { clock }), testDesk(url, { clock })];
  });
  afterEach(async () => { for (const d of desks) await d.close(); await drop?.(); });

  async function seed(n: number) {
    const rows = Array.from({ length: n }, (_, i) => ({
      id: `row-${String(i).padStart(4, '0')}`, caseId: null, channel: 'slack' as const, kind: 'test-notice',
      idempotencyKey: `seed:${i}`, payload: { i }, notBefore: clock(),
    }));
    await desks[0]!.deps.database.db.transaction().execute((trx) => enqueue(trx, rows, clock()));
  }

  it('two deliverers running at once send every row exactly once', async () => {
    await seed(200);
    // Each deliverer's first send waits until the other has sent one: both are provably mid-run at the same time.
    const started = { A: () => {}, B: () => {} };
    const both = { A: new Promise<void>((r) => { started.A = r; }), B: new Promise<void>((r) => { started.B = r; }) };
    const gate = (me: 'A' | 'B', other: 'A' | 'B') => { let first = true; return async () => { if (first) { first = false; started[me](); await both[other]; } }; };
    const gateA = gate('A', 'B');
    const gateB = gate('B', 'A');
    const a = recordingTransport(() => null, gateA);
    const b = recordingTransport(() => null, gateB);
    const run = async (desk: Desk, t: Transport, owner: string) => {
      let total = 0;
      for (;;) {
        const r = await deliverOutbox(desk.deps, { slack: t }, { owner, limit: 7 });
        total += r.sent;
        if (r.sent + r.retried + r.failed === 0) return total;
      }
    };
    const [na, nb] = await Promise.all([run(desks[0]!, a.transport, 'A'), run(desks[1]!, b.transport, 'B')]);
    const all = [...a.sent, ...b.sent];
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
    expect(na + nb).toBe(200);
    expect(na).toBeGreaterThan(0);
    expect(nb).toBeGreaterThan(0);
    const rows = await listOutbox(desks[0]!.deps.database.db);
    expect(rows.every((r) => r.state === 'sent' && r.transportRef === `ref-${r.id}`)).toBe(true);
  });

  it('stores an effect once however often it is enqueued (idempotency key)', async () => {
    await seed(3);
    await seed(3);
    expect(await listOutbox(desks[0]!.deps.database.db)).toHaveLength(3);
  });

  it('retries a retryable failure with backoff and marks it sent once the transport confirms', async () => {
    await seed(1);
    const t = recordingTransport((_row, call) => (call <= 2 ? new DeliveryError('451 try later', true) : null));
    const deps = desks[0]!.deps;
    expect(await deliverOutbox(deps, { slack: t.transport }, { owner: 'A' })).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(await deliverOutbox(deps, { slack: t.transport }, { owner: 'A' })).toEqual({ sent: 0, retried: 0, failed: 0 }); // not due yet
    clock.advance(60_000);
    expect(await deliverOutbox(deps, { slack: t.transport }, { owner: 'A' })).toEqual({ sent: 0, retried: 1, failed: 0 });
    clock.advance(30_000);
    expect((await deliverOutbox(deps, { slack: t.transport }, { owner: 'A' })).sent).toBe(0); // backoff doubled: 60 s at jitter 0.5
    clock.advance(60_000);
    expect(await deliverOutbox(deps, { slack: t.transport }, { owner: 'A' })).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(t.sent).toEqual(['row-0000']);
    const [row] = await listOutbox(deps.database.db);
    expect(row).toMatchObject({ state: 'sent', attempts: 3 });
  });

  it('honours a Retry-After longer than the backoff', async () => {
    await seed(1);
    const t = recordingTransport((_r, call) => (call === 1 ? new DeliveryError('429', true, 600_000) : null));
    const deps = desks[0]!.deps;
    await deliverOutbox(deps, { slack: t.transport }, { owner: 'A' });
    clock.advance(599_000);
    expect((await deliverOutbox(deps, { slack: t.transport }, { owner: 'A' })).sent).toBe(0);
    clock.advance(1_000);
    expect((await deliverOutbox(deps, { slack: t.transport }, { owner: 'A' })).sent).toBe(1);
  });

  it('a row held by a crashed deliverer is taken over when its lease runs out, and sent once', async () => {
    await seed(1);
    const deps = desks[0]!.deps;
    // Never confirms: the process "died" mid-send. Wait for the send itself (the row is claimed by then), not for a
    // turn of the event loop: on PostgreSQL the claim takes several round trips, and B must not run before it.
    let inSend!: () => void;
    const claimed = new Promise<void>((resolve) => { inSend = resolve; });
    const crashed: Transport = { send: () => { inSend(); return new Promise(() => {}); } };
    void deliverOutbox(deps, { slack: crashed }, { owner: 'A', leaseMs: 60_000 });
    await claimed;
    const t = recordingTransport();
    expect((await deliverOutbox(desks[1]!.deps, { slack: t.transport }, { owner: 'B', leaseMs: 60_000 })).sent).toBe(0);
    clock.advance(60_000);
    expect((await deliverOutbox(desks[1]!.deps, { slack: t.transport }, { owner: 'B', leaseMs: 60_000 })).sent).toBe(1);
    expect(t.sent).toEqual(['row-0000']);
  });

  it('records a permanent failure on the case and alerts the DPO by mail and Slack', async () => {
    const deps = desks[0]!.deps;
    const { case: c } = await openCase(deps, {
      kind: 'request', requestTypes: ['access'], channel: 'cli', receivedAt: clock(), actor: { id: 'cli', role: 'dpo' },
    }, clock());
    const t = recordingTransport((row) => (row.kind === 'case-opened' ? new DeliveryError('550 no such channel', false) : null));
    expect(await deliverOutbox(deps, { slack: t.transport, mail: t.transport }, { owner: 'A' })).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect((await findCaseByNumber(deps.database.db, c.number))!.deliveryFailures).toBe(1);
    const rows = await listOutbox(deps.database.db, { caseId: c.id });
    expect(rows.map((r) => [r.kind, r.channel, r.state]).sort()).toEqual([
      ['case-opened', 'slack', 'failed'],
      ['dpo-alert', 'mail', 'pending'], ['dpo-alert', 'slack', 'pending'],
    ]);
    const mail = rows.find((r) => r.kind === 'dpo-alert' && r.channel === 'mail')!;
    expect(mail.payload).toMatchObject({ to: 'dpo@example.com', subject: expect.stringContaining(`[${c.number}]`) });
    expect(mail.payload.text).toContain('550 no such channel');
    expect(rows.find((r) => r.kind === 'dpo-alert' && r.channel === 'slack')!.payload).toMatchObject({ caseNumber: c.number, deliveryFailed: true });
    const types = [];
    for await (const e of readAudit(deps.database.db, 100, c.id)) types.push(e.type);
    expect(types).toContain('DeliveryFailed');
    expect(await deliverOutbox(deps, { slack: t.transport, mail: t.transport }, { owner: 'A' })).toEqual({ sent: 2, retried: 0, failed: 0 });
  });

  it('gives up on a retryable failure once the retry window is spent', async () => {
    await seed(1);
    const t = recordingTransport(() => new DeliveryError('connection refused', true));
    const deps = desks[0]!.deps;
    const retry = { baseMs: 1000, capMs: 4000, maxAttempts: 3, maxAgeMs: 3_600_000 };
    for (let i = 0; i < 3; i++) {
      await deliverOutbox(deps, { slack: t.transport }, { owner: 'A', retry });
      clock.advance(10_000);
    }
    const [row] = await listOutbox(deps.database.db, { state: 'failed' });
    expect(row).toMatchObject({ attempts: 3, lastError: expect.stringContaining('gave up after 3 attempts') });
  });
});
