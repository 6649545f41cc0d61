/**
 * How SQLite statements share the event loop with Slack's acknowledgements (src/event-loop.ts, database.ts): a
 * background statement after an old slice takes one turn of the loop and never waits for an acknowledgement (it may
 * hold the connection that acknowledgement needs); a statement made through `Database.urgent` (a person's request)
 * gives no turn while an acknowledgement is awaited, and takes turns once none is. setTimeout is faked and never
 * advanced, so the 50 ms bound of nextTurn cannot be what lets anything finish; setImmediate is real. Nothing depends on this machine's speed: a slice is made old by
 * waiting until the clock says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../../../src/adapters/db/database.ts';
import { awaitingAck } from '../../../src/event-loop.ts';

describe('statements and acknowledgements', () => {
  let dir: string;
  let database: Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-desk-turns-'));
    database = openDatabase(`sqlite:${join(dir, 'desk.sqlite')}`, { writer: 'inline' });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  const pending: (() => void)[] = []; // answered in afterEach too: a failed test leaves no request waiting
  const ack = () => { const answered = awaitingAck(); pending.push(answered); return answered; };
  afterEach(async () => {
    for (const answered of pending.splice(0)) answered();
    vi.useRealTimers();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** A fresh slice (after a turn), opened by one statement, then old: the clock, not a count of turns, says so. */
  const oldSlice = async () => {
    await turn();
    await sql`select 1 as x`.execute(database.db);
    const t = performance.now();
    while (performance.now() - t < 1) { /* wait for the clock */ }
  };
  /** Runs `work` and tells whether the event loop had a turn before it finished. */
  const tookTurn = async (work: () => Promise<unknown>) => {
    let turned = false;
    setImmediate(() => { turned = true; });
    await work();
    return turned;
  };

  it('after an old slice a background statement takes one turn, even while an acknowledgement waits', async () => {
    await database.db.schema.createTable('t').addColumn('n', 'integer').execute();
    const answered = ack();
    await oldSlice();
    // Finishes although the acknowledgement still waits and no timer can fire: it never waits for acks.
    expect(await tookTurn(() => database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 20; i++) await sql`insert into t (n) values (${i})`.execute(trx);
    }))).toBe(true);
    const rows = await sql<{ n: number }>`select count(*) as n from t`.execute(database.db);
    expect(rows.rows[0]!.n).toBe(20);
    answered();
  });

  it('a statement of a person\'s request (Database.urgent) runs at once, slice or not', async () => {
    const answered = ack();
    await oldSlice();
    let x = 0;
    expect(await tookTurn(async () => {
      x = (await sql<{ x: number }>`select 2 as x`.execute(database.urgent!)).rows[0]!.x;
    })).toBe(false);
    expect(x).toBe(2);
    await oldSlice();
    expect(await tookTurn(() => sql`select 3 as x`.execute(database.db))).toBe(true); // the same, in background
    answered();
    await oldSlice(); // once answered, its later work (an export after the ack) takes turns like any other
    expect(await tookTurn(() => sql`select 4 as x`.execute(database.urgent!))).toBe(true);
  });
});
