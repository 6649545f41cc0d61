/**
 * Reminders settled and confirmed in batches (reminder-repository.ts), on SQLite and PostgreSQL: a confirmed
 * delivery takes one from each queued row's pending count and makes the row sent with its last one; rows in any
 * other state and unknown ids change nothing; an id listed twice counts twice (a target listed twice waits for
 * both); batches cross the 50-id parts.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { confirmReminders, getReminders, settleReminders } from '../../../src/adapters/db/reminder-repository.ts';
import { openCase } from '../../../src/app/open-case.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';

describe.each(testDatabases())('reminder batches on $name', (tdb) => {
  let desk: Desk;
  let url: string;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-05T10:00:00Z');

  beforeEach(async () => {
    ({ url, drop } = await freshDatabase(tdb));
    desk = testDesk(url, { clock });
  });
  afterEach(async () => { await desk.close(); await drop?.(); });

  /** `n` reminder rows on one case, each in the given state with the given pending count. */
  async function seed(n: number, row: (i: number) => { state: string; pending: number }) {
    const { case: c } = await openCase(desk.deps, {
      kind: 'request', requestTypes: ['access'], channel: 'cli', receivedAt: clock(), actor: { id: 'cli', role: 'dpo' },
    }, clock());
    const ids = Array.from({ length: n }, (_, i) => `r-${String(i).padStart(3, '0')}`);
    await desk.deps.database.db.insertInto('reminders').values(ids.map((id, i) => ({
      id, case_id: c.id, rule_id: 'batch-test', occurrence: `o${i}`, recipients: '"owner"', fire_at: clock().getTime(),
      outcome: null, snoozed_until: null, acknowledged_by: null, acknowledged_at: null, sent_at: null,
      created_at: clock().getTime(), ...row(i),
    }))).execute();
    return ids;
  }
  const byId = async (ids: string[]) =>
    new Map((await getReminders(desk.deps.database.db, ids)).map((r) => [r.id, r]));

  it('confirms 120 rows: the last pending delivery makes a row sent, others keep counting', async () => {
    // i % 3: 0 → queued, 2 pending; 1 → queued, 1 pending; 2 → suppressed (left alone).
    const kinds = [
      { state: 'queued', pending: 2 }, { state: 'queued', pending: 1 }, { state: 'suppressed', pending: 0 },
    ];
    const ids = await seed(120, (i) => kinds[i % 3]!);
    const db = desk.deps.database.db;
    await confirmReminders(db, [...ids, ids[3]!, 'no-such-reminder'], clock()); // ids[3] listed twice: both count
    let rows = await byId(ids);
    expect([rows.get(ids[3]!)!.state, rows.get(ids[3]!)!.pending]).toEqual(['sent', 0]);
    for (const [i, id] of ids.entries()) {
      const r = rows.get(id)!;
      if (i % 3 === 0 && i !== 3) expect([r.state, r.pending, r.sentAt]).toEqual(['queued', 1, null]);
      const sentAt = r.sentAt?.toISOString();
      if (i % 3 === 1) expect([r.state, r.pending, sentAt]).toEqual(['sent', 0, clock().toISOString()]);
      if (i % 3 === 2) expect([r.state, r.pending, r.sentAt]).toEqual(['suppressed', 0, null]);
    }
    clock.advance(5 * 60_000);
    await confirmReminders(db, ids, clock()); // the second message of the two-target rows
    rows = await byId(ids);
    expect(ids.filter((_, i) => i % 3 === 0).map((id) => rows.get(id)!.state)).toEqual(Array(40).fill('sent'));
    expect(rows.get(ids[3]!)!.pending).toBe(0); // sent already: a later confirmation changes nothing
    expect(rows.get(ids[0]!)!.sentAt!.toISOString()).toBe(clock().toISOString());
    expect(rows.get(ids[1]!)!.sentAt!.toISOString()).not.toBe(clock().toISOString()); // sent the first time
    expect(ids.filter((_, i) => i % 3 === 2).map((id) => rows.get(id)!.state)).toEqual(Array(40).fill('suppressed'));
  });

  it.runIf(tdb.name === 'postgres')('two desks confirming one reminder at once: it ends sent', async () => {
    const [id] = await seed(1, () => ({ state: 'queued', pending: 2 }));
    const other = testDesk(url, { clock });
    try {
      let releaseFirst!: () => void;
      const held = new Promise<void>((r) => { releaseFirst = r; });
      let firstPid!: number;
      let lockedNow!: () => void;
      const locked = new Promise<void>((r) => { lockedNow = r; });
      // The first confirmation holds its row lock until the second is seen blocked by it (pg_blocking_pids).
      const first = desk.deps.database.db.transaction().execute(async (trx) => {
        firstPid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid;
        await confirmReminders(trx, [id!], clock());
        lockedNow();
        await held;
      });
      await locked;
      const second = other.deps.database.db.transaction().execute((trx) => confirmReminders(trx, [id!], clock()));
      const deadline = Date.now() + 20_000; // a safety net only: the loop ends when the condition holds
      for (;;) {
        const blocked = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where ${firstPid}::int = any(pg_blocking_pids(pid))`.execute(desk.deps.database.db);
        if (blocked.rows[0]!.n > 0) break;
        if (Date.now() > deadline) throw new Error('the second confirmation never waited for the first');
        await new Promise((r) => setTimeout(r, 20));
      }
      releaseFirst();
      await Promise.all([first, second]);
      const r = (await byId([id!])).get(id!)!;
      expect([r.state, r.pending]).toEqual(['sent', 0]);
    } finally {
      await other.close();
    }
  });

  it('settles 75 rows alike and no other', async () => {
    const ids = await seed(80, () => ({ state: 'planned', pending: 0 }));
    await settleReminders(desk.deps.database.db, ids.slice(0, 75), { state: 'queued', pending: 3 });
    const rows = await byId(ids);
    expect(ids.slice(0, 75).every((id) => rows.get(id)!.state === 'queued' && rows.get(id)!.pending === 3)).toBe(true);
    expect(ids.slice(75).map((id) => rows.get(id)!.state)).toEqual(Array(5).fill('planned'));
  });
});
