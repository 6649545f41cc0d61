/**
 * The SQLite connection kysely is given (database.ts `preparedOnce`): a statement text is prepared once and its
 * statement reused; past 1,000 texts the oldest is dropped; a statement still iterating is never handed out again.
 */
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, preparedOnce } from '../../../src/adapters/db/database.ts';

describe('statements prepared once', () => {
  let sqlite: SQLite.Database;
  let conn: ReturnType<typeof preparedOnce>;
  beforeEach(() => {
    sqlite = new SQLite(':memory:');
    conn = preparedOnce(sqlite);
  });
  afterEach(() => conn.close());

  it('the same text gets the same statement, with each run its own parameters', () => {
    const a = conn.prepare('select ? as x');
    const b = conn.prepare('select ? as x');
    expect(b).toBe(a);
    expect(a.get(1)).toEqual({ x: 1 });
    expect(b.get(2)).toEqual({ x: 2 });
    expect(conn.prepare('select ? as y')).not.toBe(a);
  });

  it('keeps at most 1,000 texts: the oldest is prepared afresh, the newest is kept', () => {
    const first = conn.prepare('select 0 as x');
    for (let i = 1; i <= 1_000; i++) conn.prepare(`select ${i} as x`);
    const newest = conn.prepare('select 1000 as x');
    expect(conn.prepare('select 1000 as x')).toBe(newest);
    const again = conn.prepare('select 0 as x');
    expect(again).not.toBe(first);
    expect(again.get()).toEqual({ x: 0 });
  });

  it('a statement still iterating is busy: its text gets another statement meanwhile', () => {
    sqlite.exec('create table t (n integer); insert into t values (1), (2), (3)');
    const text = 'select n from t order by n';
    const iterating = conn.prepare(text);
    const rows = iterating.iterate() as IterableIterator<{ n: number }>;
    expect(rows.next().value).toEqual({ n: 1 });
    const other = conn.prepare(text);
    expect(other).not.toBe(iterating);
    expect(other.all()).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect([...rows]).toEqual([{ n: 2 }, { n: 3 }]);
    expect(conn.prepare(text)).toBe(iterating); // done iterating: reused again
  });

  it('through kysely, repeated statements give the right rows', async () => {
    const database = openDatabase('sqlite::memory:', { writer: 'inline' });
    try {
      const db = database.db.withTables<{ t: { n: number } }>();
      await db.schema.createTable('t').addColumn('n', 'integer').execute();
      for (let i = 0; i < 5; i++) await db.insertInto('t').values({ n: i }).execute();
      const rows = await db.selectFrom('t').select('n').where('n', '>=', 3).orderBy('n').execute();
      expect(rows).toEqual([{ n: 3 }, { n: 4 }]);
      expect(await db.selectFrom('t').select('n').where('n', '>=', 4).execute()).toEqual([{ n: 4 }]);
    } finally {
      await database.close();
    }
  });
});
