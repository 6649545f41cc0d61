/**
 * The database: an SQLite file (WAL) by default, PostgreSQL by URL for several instances.
 * `dialect` lets the few statements that differ (row locks) choose their form.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  close(): Promise<void>;
}

/** Either the database or a transaction: repositories take this as their first argument. */
export type Executor = Kysely<DB> | Transaction<DB>;

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

export interface DatabaseOptions {
  /** Sees every statement's SQL (tests count the statements a use case makes). */
  onQuery?: (sql: string) => void;
}

/** Opens `sqlite:<file>` (`sqlite::memory:` for a throwaway) or `postgres://…`. */
export function openDatabase(url: string, opts: DatabaseOptions = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), opts);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, opts);
  throw new RangeError('DATABASE_URL must start with sqlite: or postgres://');
}

/**
 * Open SQLite files of this process, shared: better-sqlite3 is synchronous, so two handles on one file in one
 * process would block the event loop waiting for each other's write lock. Sharing one handle lets kysely's
 * connection mutex serialise them instead — the single writer SQLite has anyway. Other processes wait on the
 * file lock (busy_timeout).
 */
const openFiles = new Map<string, { db: Kysely<DB>; refs: number }>();

function openSqlite(file: string, opts: DatabaseOptions): Database {
  const key = file === ':memory:' ? null : resolve(file);
  let entry = key ? openFiles.get(key) : undefined;
  if (!entry) {
    if (key) mkdirSync(dirname(key), { recursive: true });
    const sqlite = new SQLite(key ?? ':memory:');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('cache_size = -65536'); // 64 MiB: the due-row indexes of a large desk stay in memory
    sqlite.pragma('optimize = 0x10002'); // statistics for the planner, as SQLite recommends for long-lived connections
    entry = { db: new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }), log: logger(opts) }), refs: 0 };
    if (key) openFiles.set(key, entry);
  }
  entry.refs++;
  const shared = entry;
  let closed = false;
  return {
    db: shared.db,
    dialect: 'sqlite',
    async close() {
      if (closed) return;
      closed = true;
      if (--shared.refs > 0) return;
      if (key) openFiles.delete(key);
      await shared.db.destroy();
    },
  };
}

function openPostgres(url: string, opts: DatabaseOptions): Database {
  // BIGINT instants come back as numbers (epoch milliseconds fit in 2^53), not strings.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === PG_INT8 || oid === PG_NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format),
  };
  const pool = new pg.Pool({ connectionString: url, types: types as pg.CustomTypesConfig, max: 10 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: logger(opts) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

function logger(opts: DatabaseOptions) {
  const on = opts.onQuery;
  return on ? (e: { level: string; query: { sql: string } }) => { if (e.level === 'query') on(e.query.sql); } : undefined;
}
