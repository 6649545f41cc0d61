/**
 * The SQLite writer thread (src/adapters/db/writer-thread.ts): what a person's request (Database.urgent) gets while
 * background work holds the writer, and that statements, bytes and errors come back as they would inline. Nothing
 * here waits for time: a background transaction is held open on a promise the test resolves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/adapters/db/database.ts';

describe('the SQLite writer thread', () => {
  let dir: string;
  let database: Database;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-desk-writer-'));
    database = openDatabase(`sqlite:${join(dir, 'desk.sqlite')}`, { writer: 'thread' });
    await sql`create table t (id integer primary key, n integer unique, body blob)`.execute(database.db);
  });
  afterEach(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A person's read through the query builder (raw SQL always goes to the writer). */
  const personReads = () =>
    (database.urgent as unknown as Kysely<{ t: { n: number } }>).selectFrom('t').select('n').execute();

  /** A background transaction that has written a row and stays open until `end()` is called. */
  const openBackground = async () => {
    let end: () => void = () => {};
    const ended = new Promise<void>((r) => { end = r; });
    let inside: () => void = () => {};
    const entered = new Promise<void>((r) => { inside = r; });
    const done = database.db.transaction().execute(async (trx) => {
      await sql`insert into t (n) values (1)`.execute(trx);
      inside();
      await ended;
    });
    await entered;
    return { end, done };
  };

  it('a person reads the last committed state while a background transaction holds the writer', async () => {
    await sql`insert into t (n) values (0)`.execute(database.db);
    const background = await openBackground();
    const rows = await personReads();
    expect(rows).toEqual([{ n: 0 }]); // not the uncommitted 1, and without waiting for the transaction
    background.end();
    await background.done;
    expect((await personReads()).map((r) => r.n).sort()).toEqual([0, 1]);
  });

  it('a person\'s write holds the writer next, before background statements queued earlier', async () => {
    const background = await openBackground();
    const order: string[] = [];
    const queued = sql`insert into t (n) values (2)`.execute(database.db).then(() => order.push('background'));
    const person = sql`insert into t (n) values (3)`.execute(database.urgent!).then(() => order.push('person'));
    background.end();
    await Promise.all([background.done, queued, person]);
    expect(order).toEqual(['person', 'background']);
  });

  it('bytes come back as Buffers and counts as kysely reports them', async () => {
    const body = Buffer.from('caf\u00e9 \u2603', 'utf8');
    const inserted = await sql`insert into t (n, body) values (5, ${body})`.execute(database.db);
    expect(inserted.numAffectedRows).toBe(1n);
    const r = await sql<{ body: Buffer }>`select body from t where n = 5`.execute(database.db);
    expect(Buffer.isBuffer(r.rows[0]!.body)).toBe(true);
    expect(r.rows[0]!.body.toString('utf8')).toBe('caf\u00e9 \u2603');
  });

  it('an error keeps SQLite\'s code, a failed transaction is rolled back, and the writer goes on', async () => {
    await sql`insert into t (n) values (7)`.execute(database.db);
    const failed = database.db.transaction().execute(async (trx) => {
      await sql`insert into t (n) values (8)`.execute(trx);
      await sql`insert into t (n) values (7)`.execute(trx);
    });
    await expect(failed).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    const r = await sql<{ n: number }>`select n from t order by n`.execute(database.db);
    expect(r.rows.map((x) => x.n)).toEqual([7]);
  });

  it('transactions of background work and of people never interleave', async () => {
    await sql`create table c (k integer primary key, v integer not null)`.execute(database.db);
    await sql`insert into c (k, v) values (1, 0)`.execute(database.db);
    const bump = (db: typeof database.db) => db.transaction().execute(async (trx) => {
      const r = await sql<{ v: number }>`select v from c where k = 1`.execute(trx);
      await sql`update c set v = ${r.rows[0]!.v + 1} where k = 1`.execute(trx);
    });
    await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 ? database.db : database.urgent!)));
    const r = await sql<{ v: number }>`select v from c`.execute(database.db);
    expect(r.rows[0]!.v).toBe(40); // a lost update would show as fewer
  });
});
